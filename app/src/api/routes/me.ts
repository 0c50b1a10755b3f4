import Router from '@koa/router';
import type { ApiContext } from '../app';
import { PasswordChangeBody, ProfilePatch, ReauthBody, deleteAccount, findUser, updateProfile } from '../../domain/accounts';
import { changePassword, signOutEverywhere } from '../../domain/credentials';
import { exportLearnerData } from '../../domain/data-export';
import { NotFound } from '../../errors';
import { requireUser } from '../middleware/auth';
import { createLimiter, rateLimit } from '../middleware/rate-limit';
import type { ApiState, SignedInState } from '../state';
import { accountContext } from './context';

/** The signed-in learner's own account. The user is always the token's subject. */
export function meRoutes(deps: ApiContext): Router {
  const router = new Router<ApiState>();
  const accounts = accountContext(deps);
  // Per route, not router.use(): a router-level middleware would become the matched
  // route pattern in metrics and logs.
  const auth = requireUser(deps);
  // Re-authentication guesses a password too: limited like sign-in.
  const reauthLimit = rateLimit(createLimiter({ ...deps.config.authRateLimit, redis: deps.redis, keyPrefix: 'reauth' }));

  router.get<SignedInState>('/me', auth, async (ctx) => {
    const user = await findUser(deps.stores, ctx.state.user.id);
    if (!user) throw new NotFound('No such account.');
    ctx.body = user;
  });

  router.patch<SignedInState>('/me', auth, async (ctx) => {
    ctx.body = await updateProfile(accounts, ctx.state.user.id, ProfilePatch.parse(ctx.request.body));
  });

  router.get<SignedInState>('/me/export', auth, async (ctx) => {
    ctx.set('Content-Disposition', 'attachment; filename="course-companion-export.json"');
    ctx.body = await exportLearnerData(accounts, deps.stores, ctx.state.user);
  });

  router.post<SignedInState>('/me/password', reauthLimit, auth, async (ctx) => {
    const who = { userId: ctx.state.user.id, sessionId: ctx.state.sessionId };
    await changePassword(accounts, who, PasswordChangeBody.parse(ctx.request.body));
    ctx.status = 204;
  });

  router.post<SignedInState>('/me/sign-out-everywhere', auth, async (ctx) => {
    await signOutEverywhere(accounts, ctx.state.user.id);
    ctx.status = 204;
  });

  router.delete<SignedInState>('/me', reauthLimit, auth, async (ctx) => {
    await deleteAccount(accounts, ctx.state.user.id, ReauthBody.parse(ctx.request.body ?? {}).password);
    ctx.status = 204;
  });

  return router;
}
