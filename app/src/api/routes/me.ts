import Router from '@koa/router';
import type { ApiDeps } from '../app';
import { ProfilePatch, deleteAccount, exportUserData, findUser, updateProfile } from '../../domain/accounts';
import { NotFound } from '../../errors';
import { requireUser, type CurrentUser } from '../middleware/auth';
import { accountContext } from './context';

/** The signed-in learner's own account. The user is always the token's subject. */
export function meRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/me' });
  const accounts = accountContext(deps);
  router.use(requireUser(deps));

  router.get('/', async (ctx) => {
    const user = await findUser(deps.db.write, (ctx.state.user as CurrentUser).id);
    if (!user) throw new NotFound('No such account.');
    ctx.body = user;
  });

  router.patch('/', async (ctx) => {
    ctx.body = await updateProfile(accounts, (ctx.state.user as CurrentUser).id, ProfilePatch.parse(ctx.request.body));
  });

  router.get('/export', async (ctx) => {
    ctx.set('Content-Disposition', 'attachment; filename="course-companion-export.json"');
    ctx.body = await exportUserData(accounts, (ctx.state.user as CurrentUser).id);
  });

  router.delete('/', async (ctx) => {
    await deleteAccount(accounts, (ctx.state.user as CurrentUser).id);
    ctx.status = 204;
  });

  return router;
}
