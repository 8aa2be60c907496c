/**
 * Sample databases booted ahead of their first user. A command line knows
 * which data it will need (the DDL and the first seed) before it has loaded
 * the rest of the system; booting then lets the boot, the longest part of a
 * start, overlap that loading. Only a database the cache holds starts ahead:
 * building one needs the parsed catalog.
 *
 * This module stays light (no parser, no agents) so that it loads first.
 */
import type { Worker } from 'node:worker_threads';
import { cacheFile, dataDirKey, defaultCacheDir, generatorFingerprint, readCached } from './datadir-cache.js';
import { SAMPLE_DATA_VERSION } from './sample-data.js';
import { DATADIR_LAYOUT, PGLITE_VERSION, startWorker, workerReady } from './worker.js';

export interface SampleDataIdentity {
  ddl: string;
  seed: number;
  /** The day the data's relative dates are spread around. */
  today: Date;
}

/** The cache entry of a sample database: everything its data depends on is in the key. */
export function sampleDatabaseEntry(dir: string, { ddl, seed, today }: SampleDataIdentity): string {
  const key = dataDirKey([PGLITE_VERSION, String(DATADIR_LAYOUT), String(SAMPLE_DATA_VERSION), generatorFingerprint(), ddl, String(seed), today.toISOString().slice(0, 10)]);
  return cacheFile(dir, key);
}

export interface EarlyBoot {
  worker: Worker;
  dataDir: Uint8Array;
  ready: ReturnType<typeof workerReady>;
  started: number;
}

const ahead = new Map<string, EarlyBoot>();

/**
 * Boots the database a later `startSampleDatabase` with the same DDL, seed
 * and day will ask for, when the cache holds it; that start takes it over.
 * One nobody takes lets the process exit once booted, as an idle database does.
 */
export function prestartSampleDatabase(identity: Omit<SampleDataIdentity, 'today'> & { today?: Date; cacheDir?: string }): void {
  const entry = sampleDatabaseEntry(identity.cacheDir ?? defaultCacheDir(), { ...identity, today: identity.today ?? new Date() });
  if (ahead.has(entry)) return;
  const dataDir = readCached(entry);
  if (!dataDir) return;
  const worker = startWorker({ dataDir });
  const boot: EarlyBoot = { worker, dataDir, ready: workerReady(worker), started: performance.now() };
  boot.ready.then(() => ahead.get(entry) === boot && worker.unref(), () => ahead.get(entry) === boot && ahead.delete(entry));
  ahead.set(entry, boot);
}

/** The early boot of this cache entry, taken over by the caller (at most once). */
export function takePrestarted(entry: string): EarlyBoot | undefined {
  const boot = ahead.get(entry);
  ahead.delete(entry);
  return boot;
}
