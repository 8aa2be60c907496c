import { describe, expect, it } from 'vitest';
import { ask } from '../unseen-schema.js';

describe('every word accounted for', () => {
  it('names a content word no reader used and lowers the confidence', async () => {
    const understood = await ask('What is the name of the youngest member?');
    const missed = await ask('What is the second name of the youngest member?');
    expect(missed.reasoning).toContain("Not understood: 'second'.");
    expect(understood.reasoning).not.toContain('Not understood');
    expect(missed.confidence).toBeLessThan(understood.confidence);
  });

  it('accounts for a word naming the column of a condition', async () => {
    expect((await ask('Show all Oslo city members')).reasoning).not.toContain('Not understood');
  });
});
