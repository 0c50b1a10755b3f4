import type Router from '@koa/router';
import type { Stores } from '../../db/stores';
import type { Learner } from '../../domain/learner';
import { learnerWithChapterState } from '../../domain/progress';
import type { SessionRevocations } from '../../domain/sessions';
import type { AccessClaims, AccessTokens } from '../../domain/tokens';
import { Unauthorized } from '../../errors';
import type { ChapterViewState, SignedInState } from '../state';

export interface AuthDeps {
  stores: Pick<Stores, 'learners'>;
  accessTokens: Pick<AccessTokens, 'verify'>;
  sessions: Pick<SessionRevocations, 'assertLive'>;
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}

function tokenVerifier(deps: AuthDeps): (ctx: { get(field: string): string }) => Promise<AccessClaims> {
  return async (ctx) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token) throw new Unauthorized('Sign in first: send Authorization: Bearer <access_token>.');
    const claims = await deps.accessTokens.verify(token);
    // A signed, unexpired token still stops working once its sign-in ended (sign-out).
    if (claims.sessionId) await deps.sessions.assertLive(claims.sessionId);
    return claims;
  };
}

function signedIn(learner: Learner | null | undefined): Learner {
  if (!learner) throw new Unauthorized('The account no longer exists.');
  return learner;
}

/**
 * Authenticate from `Authorization: Bearer <access token>` and load the learner FROM
 * THE DATABASE by the token's subject into `ctx.state.user`: the tier is never taken
 * from the token or the request, so an upgrade or downgrade applies to the very next
 * request.
 */
export function requireUser(deps: AuthDeps): Router.Middleware<SignedInState> {
  const verify = tokenVerifier(deps);
  return async (ctx, next) => {
    const claims = await verify(ctx);
    ctx.state.user = signedIn(await deps.stores.learners.find(claims.userId));
    ctx.state.sessionId = claims.sessionId;
    await next();
  };
}

/**
 * `requireUser` for a route that shows one chapter: reads the learner's state of that
 * chapter in the same round trip as the learner's row (into `ctx.state.chapterState`).
 * The chapter view is the hottest path; this halves its database round trips.
 */
export function requireUserWithChapterState(
  deps: AuthDeps,
  chapterOf: (ctx: Router.RouterContext<ChapterViewState>) => number,
): Router.Middleware<ChapterViewState> {
  const verify = tokenVerifier(deps);
  return async (ctx, next) => {
    const claims = await verify(ctx);
    const loaded = await learnerWithChapterState(deps.stores.learners, claims.userId, chapterOf(ctx));
    ctx.state.user = signedIn(loaded?.learner);
    if (loaded) ctx.state.chapterState = loaded.state;
    await next();
  };
}
