import { BoundedCache } from '../bounded-cache';
import type { TokenStore } from '../db/account-stores';
import { Unauthorized } from '../errors';

/** Sign-ins remembered as live or revoked; one per signed-in learner active within `ttlMs`. */
const MAX_SESSIONS = 50_000;

export interface SessionRevocationOptions {
  /**
   * How long a "still live" answer is believed. A sign-out on this pod takes effect at
   * once (it calls `revoked`); one on another pod within this long.
   * @default 5000
   */
  readonly ttlMs?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

/**
 * Whether the sign-in an access token belongs to (its `sid`, the refresh-token family)
 * was revoked: sign-out, sign out everywhere, a password change or reset, refresh-token
 * reuse. Access tokens then stop working before they expire (ASVS 3.3.1, issue 15).
 * Built once where the api starts and passed in. The answer is cached briefly, so a
 * learner's requests cost a map lookup, and the database one query per `ttlMs`.
 */
export class SessionRevocations {
  private readonly live: BoundedCache<string, boolean>;

  constructor(
    private readonly tokens: Pick<TokenStore, 'familyRevoked'>,
    options: SessionRevocationOptions = {},
  ) {
    this.live = new BoundedCache({ maxEntries: MAX_SESSIONS, ttlMs: options.ttlMs ?? 5_000, now: options.now });
  }

  /** 401 when the sign-in was revoked. */
  async assertLive(sessionId: string): Promise<void> {
    let live = this.live.get(sessionId);
    if (live === undefined) {
      live = !(await this.tokens.familyRevoked(sessionId));
      this.live.set(sessionId, live);
    }
    if (!live) throw new Unauthorized('This sign-in has ended; sign in again.');
  }

  /** Tell this pod at once that these sign-ins ended (the database already says so). */
  revoked(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.live.set(id, false);
  }
}
