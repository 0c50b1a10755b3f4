import Router from '@koa/router';
import type { ApiContext } from '../app';
import { ProfilePatch, deleteAccount, findUser, updateProfile } from '../../domain/accounts';
import { exportLearnerData } from '../../domain/data-export';
import { NotFound } from '../../errors';
import { requireUser } from '../middleware/auth';
import type { ApiState, SignedInState } from '../state';
import { accountContext } from './context';

/** The signed-in learner's own account. The user is always the token's subject. */
export function meRoutes(deps: ApiContext): Router {
  const router = new Router<ApiState>();
  const accounts = accountContext(deps);
  // Per route, not router.use(): a router-level middleware would become the matched
  // route pattern in metrics and logs.
  const auth = requireUser(deps);

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

  router.delete<SignedInState>('/me', auth, async (ctx) => {
    await deleteAccount(accounts, ctx.state.user.id);
    ctx.status = 204;
  });

  return router;
}
