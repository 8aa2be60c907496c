/**
 * Prebuilt PGlite data directories. Creating a database from scratch runs
 * initdb (seconds); loading a dumped directory is several times faster. A
 * dump is keyed by everything that shapes it (PGlite version, the generator's
 * code, DDL, seed, reference day), so a stale one is never loaded and a warm
 * start need not generate the data at all.
 * Writes go to a unique temporary file renamed into place: concurrent
 * processes may build the same entry, and each rename is atomic.
 *
 * The directory is bounded: after each write, entries unused for two days go,
 * then the least recently used (a read marks an entry used) until the whole
 * is under `GL_RL_CACHE_MAX_MB` (default 1024 MB). An entry is its data
 * directory with the values derived from it, and the one just written stays.
 */
import { dictionary, parseJsonData } from '../dictionary.js';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';

/** Entries unused for this long are removed when a new one is written: the data's dates follow the calendar, so old days go stale. */
const MAX_AGE_MS = 2 * 86_400_000;

/** The default size bound of the cache directory, in MB (`GL_RL_CACHE_MAX_MB`). */
export const DEFAULT_CACHE_MAX_MB = 1024;

/** `GL_RL_CACHE_MAX_MB` in bytes; a value that is not a number > 0 is an error naming it. */
export function cacheMaxBytes(env: Record<string, string | undefined> = process.env): number {
  const raw = env.GL_RL_CACHE_MAX_MB;
  if (raw === undefined || raw.trim() === '') return DEFAULT_CACHE_MAX_MB * 2 ** 20;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) {
    throw new AppError('INVALID_CONFIG', `GL_RL_CACHE_MAX_MB must be a number of MB > 0, got "${raw}"`, { field: 'GL_RL_CACHE_MAX_MB', value: raw });
  }
  return Math.floor(mb * 2 ** 20);
}

let fingerprint: string | undefined;

/** The generator's own source files: any change to them is a new key, even without a version bump. Read once per process. */
export function generatorFingerprint(): string {
  fingerprint ??= readFingerprint();
  return fingerprint;
}

function readFingerprint(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  for (const name of ['sample-data', 'sample-words', 'random']) {
    const file = [`${name}.js`, `${name}.ts`].map((f) => join(here, f)).find((f) => existsSync(f));
    hash.update(file ? readFileSync(file) : name);
  }
  return hash.digest('hex');
}

export function dataDirKey(parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}`);
  return hash.digest('hex').slice(0, 32);
}

/**
 * `GL_RL_CACHE_DIR`, else `node_modules/.cache/gl-rl-model/` under the package
 * root when it can be written, else a folder in the OS temp directory.
 */
export function defaultCacheDir(): string {
  const fromEnv = process.env.GL_RL_CACHE_DIR;
  if (fromEnv) return fromEnv;
  const local = join(PACKAGE_ROOT, 'node_modules', '.cache', 'gl-rl-model');
  return writableDir(local) ? local : join(tmpdir(), 'gl-rl-model-cache');
}

function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function cacheFile(dir: string, key: string): string {
  return join(dir, `pgdata-${key}.tar`);
}

export function readCached(file: string): Uint8Array | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    // Marks the entry as used, so pruning keeps it.
    utimesSync(file, new Date(), new Date());
  } catch {
    // A read-only cache still serves.
  }
  return bytes;
}

/** Best effort: a cache that cannot be written only costs the next start its speed. */
export function writeCached(dir: string, file: string, bytes: Uint8Array, maxBytes = cacheMaxBytes()): boolean {
  if (!writableDir(dir)) return false;
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, file);
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // The temporary file was never created.
    }
    return false;
  }
  prune(dir, file, maxBytes);
  return true;
}

interface Entry {
  files: string[];
  bytes: number;
  /** Last use: the data directory's mtime (reads touch it), else the newest of its files. */
  used: number;
}

/** The cache's entries: each data directory (`pgdata-<key>.tar`) with the files derived from it (`pgdata-<key>.tar.<name>.json`). */
function entries(dir: string): Map<string, Entry> {
  const found = new Map<string, Entry>();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('pgdata-') || name.endsWith('.tmp')) continue;
    const path = join(dir, name);
    const base = entryOf(path);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    const entry = found.get(base) ?? { files: [], bytes: 0, used: 0 };
    entry.files.push(path);
    entry.bytes += stat.size;
    if (path === base) entry.used = stat.mtimeMs;
    else if (!entry.files.includes(base)) entry.used = Math.max(entry.used, stat.mtimeMs);
    found.set(base, entry);
  }
  return found;
}

/** The data directory an entry's file belongs to. */
function entryOf(path: string): string {
  return path.slice(0, path.indexOf('.tar') + 4);
}

function prune(dir: string, keep: string, maxBytes: number): void {
  const now = Date.now();
  const all = [...entries(dir)].sort(([, a], [, b]) => a.used - b.used);
  let total = all.reduce((sum, [, e]) => sum + e.bytes, 0);
  for (const [base, entry] of all) {
    if (base === entryOf(keep)) continue;
    if (now - entry.used <= MAX_AGE_MS && total <= maxBytes) continue;
    for (const file of entry.files) {
      try {
        unlinkSync(file);
      } catch {
        // Another process removed it first.
      }
    }
    total -= entry.bytes;
  }
}

/**
 * A dumped data directory cut down to what a read-only start needs; every
 * start unpacks the whole tarball, so its size is boot time.
 *  - The given directories are left out: a dump holds three copies of the
 *    system catalogs (postgres, template0, template1), and the templates only
 *    serve CREATE DATABASE, which a read-only sample never runs.
 *  - The free-space and visibility maps of relations (`_fsm`, `_vm` forks)
 *    are left out: only writes and VACUUM read them, and Postgres reads a
 *    missing fork as empty (the planner's visibility figure is kept in
 *    pg_class). They were a third of the dump, 32 KB per table.
 *  - WAL segments lose their trailing zero pages but one: a segment is
 *    allocated whole (16 MB) though the build ends it a few hundred bytes in
 *    (see the worker's build), and Postgres reads a zero page, or the end of
 *    the file, as the end of the WAL.
 * PGlite writes plain ustar: 512-byte headers (name at 0, octal size at 124,
 * checksum at 148), data padded to 512.
 */
export function compactDataDir(tar: Uint8Array, directories: string[]): Uint8Array {
  const drop = directories.map((d) => d.replace(/^\/+|\/+$/g, ''));
  const kept: Uint8Array[] = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const name = cString(header.subarray(0, 100)).replace(/^\/+/, '');
    const size = parseInt(cString(header.subarray(124, 136)).trim() || '0', 8);
    const end = offset + 512 + Math.ceil(size / 512) * 512;
    const data = tar.subarray(offset + 512, offset + 512 + size);
    const dropped = MAP_FORK.test(name) || drop.some((d) => name === d || name.startsWith(`${d}/`));
    if (!dropped && WAL_SEGMENT.test(name)) {
      const used = Math.min(size, (Math.ceil(lastNonZero(data) / WAL_PAGE) + 1) * WAL_PAGE);
      kept.push(withSize(header, used), data.subarray(0, used));
    } else if (!dropped) {
      kept.push(tar.subarray(offset, end));
    }
    offset = end;
  }
  kept.push(new Uint8Array(1024));
  return Buffer.concat(kept);
}

const WAL_SEGMENT = /^pg_wal\/[0-9A-F]{24}$/;
const MAP_FORK = /^(base\/\d+|global)\/\d+_(fsm|vm)$/;
const WAL_PAGE = 8192;

/** Index just past the last non-zero byte (0 for all zeros). */
function lastNonZero(data: Uint8Array): number {
  let i = data.length;
  while (i > 0 && data[i - 1] === 0) i--;
  return i;
}

/** A copy of a ustar header with another size, its checksum recomputed (sum of the bytes, the checksum field read as spaces). */
function withSize(header: Uint8Array, size: number): Uint8Array {
  const copy = Buffer.from(header);
  copy.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  copy.fill(0x20, 148, 156);
  const sum = copy.reduce((a, b) => a + b, 0);
  copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return copy;
}

function cString(bytes: Uint8Array): string {
  const zero = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, zero === -1 ? bytes.length : zero)).toString('utf8');
}

/**
 * A JSON value kept in `file` (none: computed every time): read back when
 * there and whole, else computed and written. `refresh` computes it anew.
 */
export async function cachedJson<T>(file: string | undefined, compute: () => Promise<T>, refresh = false): Promise<T> {
  const cached = file && !refresh ? readCached(file) : undefined;
  if (cached) {
    try {
      return parseJsonData(Buffer.from(cached).toString('utf8')) as T;
    } catch {
      // A torn or foreign file: computed again and rewritten below.
    }
  }
  const value = await compute();
  if (file) writeCached(dirname(file), file, Buffer.from(JSON.stringify(value)));
  return value;
}
