import { describe, expect, it } from 'vitest';
import { v8FlagsFor } from '../../src/cli/shared.js';

describe('v8FlagsFor', () => {
  const argv = (...args: string[]) => ['node', 'gl-rl', ...args];

  it('keeps WASM at the baseline tier for commands that answer once', () => {
    for (const command of ['ask', 'analyze', 'validate', 'sample-db', 'machines']) {
      expect(v8FlagsFor(argv(command, 'x')), command).toEqual(['--liftoff-only']);
    }
    expect(v8FlagsFor(argv('--verbose', '--progress', 'ask', 'how many projects?'))).toEqual(['--liftoff-only']);
  });

  it('leaves long runs, help and an empty command line to the optimizing tier', () => {
    for (const args of [['serve'], ['batch', 'in.jsonl'], ['eval'], ['train'], ['--help'], [], ['--verbose']]) {
      expect(v8FlagsFor(argv(...args)), args.join(' ')).toEqual([]);
    }
    // The command is the first word, not a question that happens to name one.
    expect(v8FlagsFor(argv('serve', 'ask'))).toEqual([]);
  });
});
