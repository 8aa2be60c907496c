/**
 * JSONL output of the long runs, one JSON document a line, written as the
 * lines come (a run cut short still leaves every finished line). `-` is
 * stdout. Write errors (a full disk, a missing directory) surface on `close`.
 */
import { createWriteStream } from 'node:fs';
import { AppError } from '../errors.js';

export interface JsonlWriter {
  write(value: unknown): void;
  /** Ends the file; rejects with the first write error. Calling it again returns the same promise. */
  close(): Promise<void>;
}

export function openJsonlWriter(path: string): JsonlWriter {
  if (path === '-') {
    return { write: (value) => process.stdout.write(`${JSON.stringify(value)}\n`), close: async () => undefined };
  }
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | undefined;
  stream.on('error', (error) => (failure ??= error));
  const failed = () => new AppError('INVALID_INPUT', `cannot write ${path}: ${failure!.message}`, { field: 'output' });
  let closing: Promise<void> | undefined;
  return {
    write: (value) => {
      if (!failure) stream.write(`${JSON.stringify(value)}\n`);
    },
    close: () =>
      (closing ??= new Promise((resolve, reject) => {
        if (failure) {
          stream.destroy();
          reject(failed());
          return;
        }
        stream.end((error?: Error | null) => {
          failure ??= error ?? undefined;
          if (failure) reject(failed());
          else resolve();
        });
      })),
  };
}
