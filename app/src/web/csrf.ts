import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { randomBytesFromPool } from './random-pool';

/**
 * Signed double-submit CSRF tokens. The browser holds a random secret in an HttpOnly
 * cookie; every form carries `salt.HMAC(SESSION_SECRET, secret + salt)`. A cross-site
 * page can neither read the cookie nor sign a token without SESSION_SECRET, and with
 * the `__Host-` cookie prefix (secure mode) a sibling subdomain cannot plant one. The
 * salt makes each rendered token different, so compressed pages leak nothing (BREACH).
 */
export class CsrfTokens {
  // Imported once: a raw Buffer key is imported again by every createHmac call.
  private readonly key: KeyObject;

  constructor(sessionSecret: string) {
    if (sessionSecret.length < 16) {
      throw new Error('SESSION_SECRET must be at least 16 characters to sign CSRF tokens');
    }
    this.key = createSecretKey(Buffer.from(sessionSecret, 'utf8'));
  }

  /** A new random secret for the CSRF cookie. */
  newSecret(): string {
    return randomBytesFromPool(24).toString('base64url');
  }

  /** A token for forms rendered for the holder of `secret`. */
  tokenFor(secret: string, salt: string = randomBytesFromPool(8).toString('base64url')): string {
    return `${salt}.${this.sign(secret, salt)}`;
  }

  /** True only when `token` was signed by this server for exactly this `secret`. */
  verify(secret: string | undefined, token: unknown): boolean {
    if (!secret || typeof token !== 'string') return false;
    const dot = token.indexOf('.');
    if (dot <= 0) return false;
    const salt = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.sign(secret, salt), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(secret: string, salt: string): string {
    return createHmac('sha256', this.key).update(`${secret}.${salt}`).digest('base64url');
  }
}
