import Router from '@koa/router';
import type { ApiDeps } from '../app';
import { ProfilePatch, deleteAccount, exportUserData, findUser, updateProfile } from '../../domain/accounts';
import { NotFound } from '../../errors';
import { requireUser, type CurrentUser } from '../middleware/auth';
import { accountContext } from './context';

/** The signed-in learner's own account. The user is always the token's subject. */
export function meRoutes(deps: ApiDeps): Router {
  const router = new Router();
  const accounts = accountContext(deps);
  // Per route, not router.use(): a router-level middleware would become the matched
  // route pattern in metrics and logs.
  const auth = requireUser(deps);

  router.get('/me', auth, async (ctx) => {
    const user = await findUser(deps.db.write, (ctx.state.user as CurrentUser).id);
    if (!user) throw new NotFound('No such account.');
    ctx.body = user;
  });

  router.patch('/me', auth, async (ctx) => {
    ctx.body = await updateProfile(accounts, (ctx.state.user as CurrentUser).id, ProfilePatch.parse(ctx.request.body));
  });

  router.get('/me/export', auth, async (ctx) => {
    ctx.set('Content-Disposition', 'attachment; filename="course-companion-export.json"');
    ctx.body = await exportUserData(accounts, (ctx.state.user as CurrentUser).id);
  });

  router.delete('/me', auth, async (ctx) => {
    await deleteAccount(accounts, (ctx.state.user as CurrentUser).id);
    ctx.status = 204;
  });

  return router;
}
