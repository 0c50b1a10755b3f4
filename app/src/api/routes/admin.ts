import { secretsEqual } from '../../domain/secrets';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ApiContext } from '../app';
import type { ApiState } from '../state';
import { TierBody, setTier } from '../../domain/accounts';
import { Unauthorized } from '../../errors';
import { bearerToken } from '../middleware/auth';

function requireAdmin(adminToken: string | undefined): Middleware {
  return async (ctx, next) => {
    const presented = bearerToken(ctx.get('authorization'));
    // No ADMIN_API_TOKEN configured means the admin path is closed, not open.
    if (!adminToken || !presented || !secretsEqual(presented, adminToken)) {
      throw new Unauthorized('This path needs the admin token.');
    }
    await next();
  };
}

export function adminRoutes(deps: ApiContext): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/admin' });
  const admin = requireAdmin(deps.config.adminApiToken);

  router.post('/users/:id/tier', admin, async (ctx) => {
    const { tier } = TierBody.parse(ctx.request.body);
    ctx.body = await setTier(deps, { id: ctx.params.id }, tier, 'admin');
  });

  return router;
}
