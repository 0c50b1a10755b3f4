import Router from '@koa/router';
import type { ApiContext } from '../app';
import type { ApiState } from '../state';
import { LoginBody, RefreshBody, RegisterBody, ResetConfirmBody, ResetRequestBody, login, logout, refresh } from '../../domain/accounts';
import { requestPasswordReset, resetPassword } from '../../domain/credentials';
import { SIGNUP_ACCEPTED, SignupConfirmBody, confirmSignUp, requestSignUp } from '../../domain/signup';
import { createLimiter, rateLimit } from '../middleware/rate-limit';
import { accountContext } from './context';

export function authRoutes(deps: ApiContext): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/auth' });
  const accounts = accountContext(deps);
  const limits = { ...deps.config.authRateLimit, redis: deps.redis };
  const loginLimit = rateLimit(createLimiter({ ...limits, keyPrefix: 'login' }));
  const registerLimit = rateLimit(createLimiter({ ...limits, keyPrefix: 'register' }));
  const resetLimit = rateLimit(createLimiter({ ...limits, keyPrefix: 'reset' }));
  // Limited like the reset endpoints, in a budget of its own: finishing a sign-up does not spend a reset's.
  const signupConfirmLimit = rateLimit(createLimiter({ ...limits, keyPrefix: 'signup-confirm' }));

  // The same 202 whether or not the address has an account (domain/signup.ts): the
  // request is stored before the answer, so a failed write is a 5xx; the mail goes out after.
  router.post('/register', registerLimit, async (ctx) => {
    const { delivery } = await requestSignUp(accounts, RegisterBody.parse(ctx.request.body));
    delivery.catch((err: unknown) => deps.logger.error({ err, requestId: ctx.state.requestId }, 'sign-up mail failed'));
    ctx.status = 202;
    ctx.body = SIGNUP_ACCEPTED;
  });

  router.post('/register/confirm', signupConfirmLimit, async (ctx) => {
    const session = await confirmSignUp(accounts, SignupConfirmBody.parse(ctx.request.body));
    ctx.status = 201;
    ctx.body = session;
  });

  router.post('/login', loginLimit, async (ctx) => {
    ctx.body = await login(accounts, LoginBody.parse(ctx.request.body), { ip: ctx.state.clientAddress });
  });

  router.post('/refresh', async (ctx) => {
    ctx.body = await refresh(accounts, RefreshBody.parse(ctx.request.body).refresh_token);
  });

  router.post('/logout', async (ctx) => {
    await logout(accounts, RefreshBody.parse(ctx.request.body).refresh_token);
    ctx.status = 204;
  });

  // The same 202 whether or not the address has an account; the mail goes out after.
  router.post('/password-reset', resetLimit, async (ctx) => {
    const { delivery } = await requestPasswordReset(accounts, ResetRequestBody.parse(ctx.request.body).email);
    delivery.catch((err: unknown) => deps.logger.error({ err, requestId: ctx.state.requestId }, 'password reset mail failed'));
    ctx.status = 202;
    ctx.body = { status: 'accepted', message: 'If an account uses this address, a reset link is on its way.' };
  });

  router.post('/password-reset/confirm', resetLimit, async (ctx) => {
    await resetPassword(accounts, ResetConfirmBody.parse(ctx.request.body));
    ctx.status = 204;
  });

  return router;
}
