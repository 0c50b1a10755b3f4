import Router from '@koa/router';
import type { ApiContext } from '../app';
import type { ApiState } from '../state';
import { LoginBody, RefreshBody, RegisterBody, login, logout, refresh, register } from '../../domain/accounts';
import { createLimiter, rateLimit } from '../middleware/rate-limit';
import { accountContext } from './context';

export function authRoutes(deps: ApiContext): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/auth' });
  const accounts = accountContext(deps);
  const limits = { ...deps.config.authRateLimit, redis: deps.redis };
  const loginLimit = rateLimit(createLimiter({ ...limits, keyPrefix: 'login' }));
  const registerLimit = rateLimit(createLimiter({ ...limits, keyPrefix: 'register' }));

  router.post('/register', registerLimit, async (ctx) => {
    ctx.status = 201;
    ctx.body = await register(accounts, RegisterBody.parse(ctx.request.body));
  });

  router.post('/login', loginLimit, async (ctx) => {
    ctx.body = await login(accounts, LoginBody.parse(ctx.request.body), { ip: ctx.ip });
  });

  router.post('/refresh', async (ctx) => {
    ctx.body = await refresh(accounts, RefreshBody.parse(ctx.request.body).refresh_token);
  });

  router.post('/logout', async (ctx) => {
    await logout(accounts, RefreshBody.parse(ctx.request.body).refresh_token);
    ctx.status = 204;
  });

  return router;
}
