import Router from '@koa/router';
import { ApiError } from '../api-client';
import type { Session } from '../api-types';
import { redirectWithFlash, rotateCsrf, safeNext, sendPage, type WebContext, type WebState } from '../context';
import { canonicalTimeZone } from '../../domain/time-zones';
import { EMAIL, bodyOf, fieldErrorsFrom, password, text } from '../forms';
import { SignInPage, SignUpPage } from '../pages/auth';
import { cookieOptions } from '../session';
import { frame, type WebRouteDeps } from './shared';

/** Sign up, sign in, sign out: forms posted here, sessions kept by the api. */
export function authRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  router.get('signup', '/signup', async (ctx) => {
    sendPage(ctx, 200, <SignUpPage frame={frame(ctx, deps)} values={{}} errors={{}} />);
  });
  router.post('signup', '/signup', (ctx) => signUp(ctx, deps));
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

async function signUp(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const body = bodyOf(ctx);
  const values = { email: text(body.email), name: text(body.name), timezone: text(body.timezone) };
  const secret = password(body.password);
  const errors: Record<string, string> = {};
  if (!EMAIL.test(values.email)) errors.email = 'Enter an email address like name@example.com.';
  if (secret.length < 10) errors.password = 'Choose a password of at least 10 characters.';
  // Empty when the browser told us nothing (no script): the account starts on UTC and the
  // welcome says so. A zone we do not know is asked for instead of being dropped.
  const timezone = values.timezone ? canonicalTimeZone(values.timezone) : null;
  if (values.timezone && timezone === null)
    errors.timezone = `We do not know the time zone “${values.timezone}”. Choose yours from the list.`;
  if (Object.keys(errors).length > 0) {
    sendPage(ctx, 422, <SignUpPage frame={frame(ctx, deps)} values={values} errors={errors} />);
    return;
  }
  try {
    const session = await ctx.state.learner.anonymous<Session>({
      method: 'POST',
      path: '/auth/register',
      body: {
        email: values.email,
        password: secret,
        ...(values.name ? { name: values.name } : {}),
        ...(timezone ? { timezone } : {}),
      },
    });
    ctx.state.learner.start(session);
    rotateCsrf(ctx, deps.runtime);
    redirectWithFlash(ctx, deps.runtime, '/', timezone ? 'signed-up' : 'signed-up-utc');
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500 || error.status === 401) throw error;
    const fieldErrors =
      error.status === 409
        ? { email: 'An account with this email already exists. Sign in instead.' }
        : fieldErrorsFrom(error, ['email', 'password', 'name', 'timezone']);
    const general =
      error.status === 429 ? 'Too many attempts. Please wait a minute.' : Object.keys(fieldErrors).length ? undefined : error.message;
    sendPage(
      ctx,
      error.status === 429 ? 429 : 422,
      <SignUpPage frame={frame(ctx, deps)} values={values} errors={fieldErrors} general={general} />,
    );
  }
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
