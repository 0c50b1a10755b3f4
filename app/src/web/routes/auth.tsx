import Router from '@koa/router';
import { ApiError } from '../api-client';
import type { Session } from '../api-types';
import { redirectWithFlash, rotateCsrf, safeNext, sendPage, type WebContext, type WebState } from '../context';
import { bodyOf, password, text } from '../forms';
import { SignInPage } from '../pages/auth';
import { cookieOptions } from '../session';
import { frame, type WebRouteDeps } from './shared';

/** Sign in, sign out: forms posted here, sessions kept by the api (sign-up: signup.tsx). */
export function authRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  router.get('signin', '/signin', async (ctx) => {
    sendPage(ctx, 200, <SignInPage frame={frame(ctx, deps)} next={safeNext(ctx.query.next)} errors={{}} />);
  });
  router.post('signin', '/signin', (ctx) => signIn(ctx, deps));
  router.post('signout', '/signout', async (ctx) => {
    await ctx.state.learner.end();
    ctx.cookies.set(deps.runtime.names.position, '', cookieOptions(deps.runtime.cookies));
    rotateCsrf(ctx, deps.runtime);
    redirectWithFlash(ctx, deps.runtime, '/', 'signed-out');
  });
  return router;
}

async function signIn(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const body = bodyOf(ctx);
  const email = text(body.email);
  const secret = password(body.password);
  const next = safeNext(body.next);
  const errors: Record<string, string> = {};
  if (!email) errors.email = 'Enter your email address.';
  if (!secret) errors.password = 'Enter your password.';
  if (Object.keys(errors).length === 0) {
    try {
      const session = await ctx.state.learner.anonymous<Session>({
        method: 'POST',
        path: '/auth/login',
        body: { email, password: secret },
      });
      ctx.state.learner.start(session);
      rotateCsrf(ctx, deps.runtime);
      redirectWithFlash(ctx, deps.runtime, next ?? '/', 'signed-in');
      return;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      const general =
        error.status === 429
          ? 'Too many attempts. Please wait a minute and try again.'
          : 'That email and password do not match an account.';
      sendPage(
        ctx,
        error.status === 429 ? 429 : 401,
        <SignInPage frame={frame(ctx, deps)} email={email} next={next} errors={{}} general={general} />,
      );
      return;
    }
  }
  sendPage(ctx, 422, <SignInPage frame={frame(ctx, deps)} email={email} next={next} errors={errors} />);
}
