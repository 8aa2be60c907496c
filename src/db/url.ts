/**
 * A user's database URL: checked once, and never shown with its secret. Every
 * place that prints, logs or reports a database names it by `redactUrl` (the
 * password replaced by `***`, `password=` query parameters too).
 */
import { AppError } from '../errors.js';

export interface DatabaseTarget {
  /** The URL as given (with its password): only ever handed to the driver. */
  url: string;
  /** `user@host:port/database`, safe to print. */
  label: string;
  host: string;
  port: number;
  database: string;
  user: string;
}

/** `postgres://user:***@host:5432/db`: the URL with its password masked. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    // Not a URL: only the part before any '@' could be a secret.
    return url.includes('@') ? `***@${url.slice(url.lastIndexOf('@') + 1)}` : url;
  }
}

/** Replaces every occurrence of the URL's password in a text (a driver message may quote the URL). */
export function scrubSecret(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  return password.length >= 3 ? text.split(password).join('***') : text;
}

export function parseDatabaseUrl(url: string, field = 'database_url'): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('INVALID_CONFIG', `${field}: not a URL (expected postgres://user:password@host:5432/database), got ${JSON.stringify(redactUrl(url))}`, { field });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new AppError('INVALID_CONFIG', `${field}: expected a postgres:// or postgresql:// URL, got ${parsed.protocol}//`, { field });
  }
  const host = parsed.hostname || 'localhost';
  const port = parsed.port ? Number(parsed.port) : 5432;
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres';
  const user = decodeURIComponent(parsed.username) || process.env.PGUSER || 'postgres';
  return { url, host, port, database, user, label: `${user}@${host}:${port}/${database}` };
}
