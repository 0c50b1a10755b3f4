import type { Context, Middleware } from 'koa';
import type { Clock } from '../../clock';
import type { Config } from '../../config';
import type { Database } from '../../db/database';
import { findSignedInLearner } from '../../domain/accounts';
import { learnerWithChapterState } from '../../domain/progress';
import { verifyAccessToken } from '../../domain/tokens';
import type { Tier } from '../../domain/tiers';
import { Unauthorized } from '../../errors';

/** `ctx.state.user` on routes behind `requireUser`. */
export interface CurrentUser {
  id: string;
  email: string;
  tier: Tier;
  timezone: string;
}

export interface AuthDeps {
  config: Config;
  db: Database;
  clock: Clock;
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}

export interface RequireUserOptions {
  /**
   * For a route that shows one chapter: read the learner's state of that chapter in
   * the same round trip as the learner's row (into `ctx.state.chapterState`). The
   * chapter view is the hottest path; this halves its database round trips.
   */
  readonly withChapterState?: (ctx: Context) => number;
}

/**
 * Authenticate from `Authorization: Bearer <access token>` and load the learner FROM
 * THE DATABASE by the token's subject: the tier is never taken from the token or the
 * request, so an upgrade or downgrade applies to the very next request.
 */
export function requireUser(deps: AuthDeps, options: RequireUserOptions = {}): Middleware {
  const settings = {
    secretKey: deps.config.secretKey,
    accessTokenExpireMinutes: deps.config.accessTokenExpireMinutes,
    refreshTokenExpireDays: deps.config.refreshTokenExpireDays,
  };
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token) throw new Unauthorized('Sign in first: send Authorization: Bearer <access_token>.');
    const userId = await verifyAccessToken(settings, deps.clock, token);
    let user: CurrentUser | null | undefined;
    if (options.withChapterState) {
      const loaded = await learnerWithChapterState(deps.db.write, userId, options.withChapterState(ctx));
      user = loaded?.user;
      ctx.state.chapterState = loaded?.state;
    } else {
      user = await findSignedInLearner(deps.db.write, userId);
    }
    if (!user) throw new Unauthorized('The account no longer exists.');
    ctx.state.user = { id: user.id, email: user.email, tier: user.tier, timezone: user.timezone } satisfies CurrentUser;
    await next();
  };
}
