/**
 * What a failure talking to a PostgreSQL server means for the user, as a
 * catalog error whose message names what to check: the server cannot be
 * reached or refused the login (DATABASE_UNAVAILABLE), a statement ran out of
 * its budget (QUERY_TIMEOUT), or the statement itself failed
 * (EXECUTION_FAILED, its position in the caller's SQL). Messages name the
 * server by `user@host:port/database`, never with its password.
 */
import { AppError } from '../errors.js';
import { executionError, type GatedStatement } from './engine.js';
import { scrubSecret, type DatabaseTarget } from './url.js';

interface DriverError {
  message?: string;
  code?: string;
  position?: string | number;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

export function serverError(
  err: unknown,
  target: DatabaseTarget,
  statement?: { statement: GatedStatement; prefix: string },
  timeoutMs?: number,
): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as DriverError;
  const code = e.code ?? '';
  const message = scrubSecret(e.message ?? String(err), target.url);
  const where = `${target.host}:${target.port}`;
  const unavailable = (detail: string) =>
    new AppError('DATABASE_UNAVAILABLE', `${target.label}: ${detail}`, { database: target.label, ...(code ? { reason: code } : {}) });
  if (code === 'ECONNREFUSED') return unavailable(`connection refused at ${where}; check that the server is running and listening there (host, port)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return unavailable(`host ${target.host} not found; check the host name in the URL`);
  if (NETWORK_CODES.has(code)) return unavailable(`${message} (${code}); check the network path to ${where}`);
  if (code === '28P01' || code === '28000') return unavailable(`login refused for user ${target.user} (${message}); check the user and password in the URL and pg_hba.conf`);
  if (code === '3D000') return unavailable(`database ${target.database} does not exist on ${where}; check the database name in the URL`);
  if (code === '57P03') return unavailable(`the server is starting up or shutting down; try again shortly`);
  if (code === '57P01' || code === '57P02' || code.startsWith('08')) return unavailable(`the connection was closed by the server (${message}); it may have restarted, try again`);
  if (code === '53300') return unavailable(`too many connections on the server (${message}); check max_connections or the pool size`);
  if (/timeout exceeded when trying to connect|connection timeout/i.test(message)) {
    return unavailable(`no connection within the connect timeout; check that ${where} is reachable and the server accepts connections`);
  }
  if (/Connection terminated|connection.*(closed|ended)|Client has encountered a connection error/i.test(message)) {
    return unavailable(`the connection was lost (${message}); check the server, it may have restarted`);
  }
  if (code === '57014' || code === '55P03' || code === '25P03') {
    const what = code === '55P03' ? 'waited too long for a lock' : 'exceeded its time budget and was cancelled on the server';
    return new AppError('QUERY_TIMEOUT', `statement ${what}${timeoutMs ? ` (${timeoutMs} ms)` : ''}`, { timeout_ms: timeoutMs, sqlstate: code }, { requestFault: true });
  }
  if (statement) {
    const position = e.position === undefined ? undefined : Number(e.position);
    return executionError({ message, code, position }, statement);
  }
  return new AppError('EXECUTION_FAILED', message, { sqlstate: code || undefined });
}

/** Whatever stops a connection from opening means the database cannot be used: DATABASE_UNAVAILABLE, naming the cause. */
export function connectError(err: unknown, target: DatabaseTarget): AppError {
  const mapped = serverError(err, target);
  if (mapped.code === 'DATABASE_UNAVAILABLE') return mapped;
  const reason = (err as DriverError | undefined)?.code;
  return new AppError('DATABASE_UNAVAILABLE', `${target.label}: the connection was refused (${scrubSecret((err as Error)?.message ?? String(err), target.url)}); check the role's CONNECT privilege and pg_hba.conf`, {
    database: target.label,
    ...(reason ? { reason } : {}),
  });
}
