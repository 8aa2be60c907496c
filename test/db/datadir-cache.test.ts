import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheFile, cacheMaxBytes, dataDirKey, compactDataDir, DEFAULT_CACHE_MAX_MB, readCached, writeCached } from '../../src/db/datadir-cache.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

/** A ustar entry as PGlite writes it: a 512-byte header (name, octal size), the data padded to 512. */
function entry(name: string, data = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write(`${Buffer.byteLength(data).toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
  body.write(data, 0, 'utf8');
  return Buffer.concat([header, body]);
}

function names(tar: Uint8Array): string[] {
  const out: string[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = Buffer.from(tar.subarray(offset, offset + 512));
    if (header.every((b) => b === 0)) break;
    out.push(header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, ''));
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '') || '0', 8);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'gl-rl-cache-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prebuilt data-directory cache', () => {
  it('drops whole directories from a tarball and keeps everything else intact', () => {
    const tar = Buffer.concat([
      entry('/base'), entry('/base/1'), entry('/base/1/1255', 'x'.repeat(700)), entry('/base/5'),
      entry('/base/5/1255', 'catalog'), entry('/base/10/1', 'not base/1'), entry('/PG_VERSION', '17'), Buffer.alloc(1024),
    ]);
    const slim = compactDataDir(tar, ['base/1', 'base/4']);
    expect(names(slim)).toEqual(['/base', '/base/5', '/base/5/1255', '/base/10/1', '/PG_VERSION']);
    // The free-space and visibility maps go too, every other fork stays.
    const forks = compactDataDir(Buffer.concat([
      entry('/base/5/16384', 'heap'), entry('/base/5/16384_fsm', 'f'), entry('/base/5/16384_vm', 'v'), entry('/global/1260_vm', 'v'),
      entry('/base/5/16384_init', 'i'), Buffer.alloc(1024),
    ]), []);
    expect(names(forks)).toEqual(['/base/5/16384', '/base/5/16384_init']);
    expect(Buffer.from(slim).includes('catalog')).toBe(true);
    // Gone: two headers and the 700 bytes of data padded to 1024.
    expect(slim.length).toBe(tar.length - 2 * 512 - 1024);
  });

  it('trims the trailing zero pages of WAL segments to one, with a valid header', () => {
    const page = 8192;
    const segment = Buffer.alloc(16 * page);
    segment.write('checkpoint record', page + 100, 'utf8');
    const other = Buffer.alloc(3 * page, 1);
    const tar = Buffer.concat([
      entry('/pg_wal/000000010000000000000002', segment.toString('latin1')),
      entry('/pg_wal/archive_status'),
      entry('/base/5/1', other.toString('latin1')),
      Buffer.alloc(1024),
    ]);
    const slim = compactDataDir(tar, []);
    expect(names(slim)).toEqual(['/pg_wal/000000010000000000000002', '/pg_wal/archive_status', '/base/5/1']);
    const header = Buffer.from(slim.subarray(0, 512));
    // The used page and one zero page after it; the non-WAL file is untouched.
    expect(parseInt(header.subarray(124, 136).toString('ascii'), 8)).toBe(3 * page);
    expect(Buffer.from(slim.subarray(512, 512 + 3 * page)).indexOf('checkpoint record')).toBe(page + 100);
    expect(slim.length).toBe(tar.length - 13 * page);
    // ustar checksum: the header's bytes summed with the checksum field read as spaces.
    const sum = [...header].reduce((a, b, i) => a + (i >= 148 && i < 156 ? 0x20 : b), 0);
    expect(parseInt(header.subarray(148, 154).toString('ascii'), 8)).toBe(sum);
  });

  it('keys entries by every part, so any change is a different file', () => {
    const key = dataDirKey(['0.5.16', 'ddl', '1']);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(dataDirKey(['0.5.16', 'ddl', '2'])).not.toBe(key);
    // Length-prefixed parts: moving a boundary changes the key.
    expect(dataDirKey(['ab', 'c'])).not.toBe(dataDirKey(['a', 'bc']));
  });

  it('writes through a temporary file and reads back what was written', () => {
    const file = cacheFile(dir, dataDirKey(['x']));
    expect(readCached(file)).toBeUndefined();
    expect(writeCached(dir, file, new Uint8Array([1, 2, 3]))).toBe(true);
    expect([...readCached(file)!]).toEqual([1, 2, 3]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});

describe('the size bound of the cache directory', () => {
  const MB = 2 ** 20;
  const bounded = mkdtempSync(join(tmpdir(), 'gl-rl-cache-bound-'));
  afterAll(() => rmSync(bounded, { recursive: true, force: true }));
  const at = (file: string, minutesAgo: number) => {
    const when = new Date(Date.now() - minutesAgo * 60_000);
    utimesSync(file, when, when);
  };

  it('evicts the least recently used entries, with their derived files, down to the bound; the new entry stays', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((k) => cacheFile(bounded, dataDirKey([k])));
    const bytes = new Uint8Array(MB);
    for (const file of [a!, b!, c!]) expect(writeCached(bounded, file, bytes, 10 * MB)).toBe(true);
    writeFileSync(`${a}.values-x.json`, '{}');
    at(a!, 30);
    at(`${a}.values-x.json`, 30);
    at(b!, 20);
    at(c!, 40);
    // a was read just now: it is the most recently used of the three.
    readCached(a!);
    expect(writeCached(bounded, d!, new Uint8Array(2 * MB), 3.5 * MB)).toBe(true);
    expect([a, b, c, d].map((f) => existsSync(f!))).toEqual([true, false, false, true]);
    expect(existsSync(`${a}.values-x.json`)).toBe(true);
    // A bound smaller than the new entry keeps the new entry alone.
    expect(writeCached(bounded, c!, new Uint8Array(MB), MB / 2)).toBe(true);
    expect(readdirSync(bounded)).toEqual([c!.slice(bounded.length + 1)]);
  });

  it('reads GL_RL_CACHE_MAX_MB, with a default, and names it when it is not a size', () => {
    expect(cacheMaxBytes({})).toBe(DEFAULT_CACHE_MAX_MB * MB);
    expect(cacheMaxBytes({ GL_RL_CACHE_MAX_MB: '64' })).toBe(64 * MB);
    expect(() => cacheMaxBytes({ GL_RL_CACHE_MAX_MB: 'lots' })).toThrow(/GL_RL_CACHE_MAX_MB/);
    expect(() => cacheMaxBytes({ GL_RL_CACHE_MAX_MB: '0' })).toThrow(/GL_RL_CACHE_MAX_MB/);
  });

  it('docs/configuration.md gives the setting and its default', () => {
    const doc = readFileSync(join(PACKAGE_ROOT, 'docs', 'configuration.md'), 'utf8');
    const row = doc.split('\n').find((line) => line.startsWith('| `GL_RL_CACHE_MAX_MB` |'));
    expect(row?.split('|')[2]?.trim()).toBe(`\`${DEFAULT_CACHE_MAX_MB}\``);
  });
});
