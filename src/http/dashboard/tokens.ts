/**
 * Short-lived tokens for the dashboard's event stream. A browser's
 * EventSource cannot send an Authorization header, so a client holding an API
 * key trades it (POST /v1/events/token) for a token it may put in the stream's
 * URL: a key never appears in a URL, a log line or a browser history, and a
 * leaked token is worth minutes. Tokens are HMAC-signed with a secret drawn at
 * start (nothing stored, void after a restart) and checked in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const STREAM_TOKEN_TTL_S = 300;

export class StreamTokens {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly ttlMs = STREAM_TOKEN_TTL_S * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(): { token: string; expires_at: string; ttl_s: number } {
    const expires = this.now() + this.ttlMs;
    const body = `${expires}.${randomBytes(12).toString('base64url')}`;
    return { token: `${body}.${this.sign(body)}`, expires_at: new Date(expires).toISOString(), ttl_s: Math.round(this.ttlMs / 1000) };
  }

  /** True for a token this process issued that has not expired. */
  verify(token: string | undefined): boolean {
    const parts = (token ?? '').split('.');
    if (parts.length !== 3) return false;
    const [expires, nonce, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${expires}.${nonce}`));
    const given = Buffer.from(signature);
    const authentic = given.length === expected.length && timingSafeEqual(given, expected);
    return authentic && Number(expires) > this.now();
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
