import { describe, expect, it } from 'vitest';
import { StreamTokens } from '../../../src/http/dashboard/tokens.js';

describe('stream tokens', () => {
  it('verifies its own tokens until they expire, and no other', () => {
    let now = 1_000_000;
    const tokens = new StreamTokens(60_000, () => now);
    const { token, expires_at } = tokens.issue();
    expect(expires_at).toBe(new Date(1_060_000).toISOString());
    expect(tokens.verify(token)).toBe(true);
    const [expiry, nonce, signature] = token.split('.');
    expect(tokens.verify(`${Number(expiry) + 1}.${nonce}.${signature}`)).toBe(false);
    expect(tokens.verify(`${expiry}.${nonce}.${signature!.slice(1)}`)).toBe(false);
    expect(new StreamTokens(60_000, () => now).verify(token)).toBe(false);
    for (const bad of [undefined, '', 'a.b', 'a.b.c.d']) expect(tokens.verify(bad)).toBe(false);
    now = 1_060_000;
    expect(tokens.verify(token)).toBe(false);
  });
});
