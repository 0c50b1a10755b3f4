import Router from '@koa/router';
import { ApiError } from '../api-client';
import { redirectWithFlash, rotateCsrf, sendPage, type WebContext, type WebState } from '../context';
import { EMAIL, bodyOf, fieldErrorsFrom, password, text } from '../forms';
import { ChangePasswordPage, ForgotPasswordPage, ResetLinkSentPage, ResetPasswordPage } from '../pages/credentials';
import { cookieOptions } from '../session';
import { frame, requireSession, type WebRouteDeps } from './shared';

/** Password change and reset, sign out everywhere (issue 15): forms that work without JavaScript. */
export function credentialRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  router.get('changePassword', '/account/password', requireSession, async (ctx) => {
    sendPage(ctx, 200, <ChangePasswordPage frame={frame(ctx, deps)} errors={{}} />);
  });
  router.post('changePassword', '/account/password', requireSession, (ctx) => changePassword(ctx, deps));
  router.post('signOutEverywhere', '/account/sign-out-everywhere', requireSession, async (ctx) => {
    await ctx.state.learner.call({ method: 'POST', path: '/me/sign-out-everywhere' });
    endHere(ctx, deps);
    redirectWithFlash(ctx, deps.runtime, '/', 'signed-out-everywhere');
  });
  router.get('forgotPassword', '/forgot-password', async (ctx) => {
    sendPage(ctx, 200, <ForgotPasswordPage frame={frame(ctx, deps)} errors={{}} />);
  });
  router.post('forgotPassword', '/forgot-password', (ctx) => askForReset(ctx, deps));
  router.get('resetPassword', '/reset-password', async (ctx) => {
    // The token is in the URL: Referrer-Policy no-referrer keeps it off other sites.
    ctx.set('Referrer-Policy', 'no-referrer');
    sendPage(ctx, 200, <ResetPasswordPage frame={frame(ctx, deps)} token={text(ctx.query.token)} errors={{}} />);
  });
  router.post('resetPassword', '/reset-password', (ctx) => reset(ctx, deps));
  return router;
}

/** This browser's session is over too: clear its cookies and CSRF secret. */
function endHere(ctx: WebContext, deps: WebRouteDeps): void {
  ctx.state.learner.forget();
  ctx.cookies.set(deps.runtime.names.position, '', cookieOptions(deps.runtime.cookies));
  rotateCsrf(ctx, deps.runtime);
}

/** Re-throw what the page cannot explain (outages, an ended session) to the error pages. */
function formProblem(error: unknown): ApiError {
  if (!(error instanceof ApiError) || error.status >= 500 || error.status === 401) throw error;
  return error;
}

async function changePassword(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const body = bodyOf(ctx);
  const current = password(body.current_password);
  const next = password(body.new_password);
  const errors: Record<string, string> = {};
  if (!current) errors.current_password = 'Enter your current password.';
  if (next.length < 10) errors.new_password = 'Choose a password of at least 10 characters.';
  if (Object.keys(errors).length === 0) {
    try {
      await ctx.state.learner.call({ method: 'POST', path: '/me/password', body: { current_password: current, new_password: next } });
      redirectWithFlash(ctx, deps.runtime, '/account', 'password-changed');
      return;
    } catch (error) {
      const problem = formProblem(error);
      if (problem.code === 'wrong_password') errors.current_password = 'That is not your current password.';
      else Object.assign(errors, fieldErrorsFrom(problem, ['current_password', 'new_password']));
      const general = problem.status === 429 ? 'Too many attempts. Please wait a minute.' : undefined;
      sendPage(ctx, problem.status === 429 ? 429 : 422, <ChangePasswordPage frame={frame(ctx, deps)} errors={errors} general={general} />);
      return;
    }
  }
  sendPage(ctx, 422, <ChangePasswordPage frame={frame(ctx, deps)} errors={errors} />);
}

async function askForReset(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const email = text(bodyOf(ctx).email);
  if (!EMAIL.test(email)) {
    const errors = { email: 'Enter an email address like name@example.com.' };
    sendPage(ctx, 422, <ForgotPasswordPage frame={frame(ctx, deps)} email={email} errors={errors} />);
    return;
  }
  try {
    await ctx.state.learner.anonymous({ method: 'POST', path: '/auth/password-reset', body: { email } });
  } catch (error) {
    const problem = formProblem(error);
    const general = problem.status === 429 ? 'Too many attempts. Please wait a minute and try again.' : problem.message;
    sendPage(
      ctx,
      problem.status === 429 ? 429 : 422,
      <ForgotPasswordPage frame={frame(ctx, deps)} email={email} errors={{}} general={general} />,
    );
    return;
  }
  sendPage(ctx, 200, <ResetLinkSentPage frame={frame(ctx, deps)} />);
}

async function reset(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const body = bodyOf(ctx);
  const token = text(body.token);
  const next = password(body.new_password);
  if (next.length < 10) {
    const errors = { new_password: 'Choose a password of at least 10 characters.' };
    sendPage(ctx, 422, <ResetPasswordPage frame={frame(ctx, deps)} token={token} errors={errors} />);
    return;
  }
  try {
    await ctx.state.learner.anonymous({ method: 'POST', path: '/auth/password-reset/confirm', body: { token, new_password: next } });
  } catch (error) {
    const problem = formProblem(error);
    const general =
      problem.status === 429
        ? 'Too many attempts. Please wait a minute and try again.'
        : problem.code === 'invalid_reset_token' || problem.status === 400
          ? 'This reset link is not valid any more: it was used already or has expired. Ask for a new one.'
          : problem.message;
    sendPage(
      ctx,
      problem.status === 429 ? 429 : 422,
      <ResetPasswordPage frame={frame(ctx, deps)} token={token} errors={{}} general={general} />,
    );
    return;
  }
  // Every sign-in ended at the api, this browser's included.
  endHere(ctx, deps);
  redirectWithFlash(ctx, deps.runtime, '/signin', 'password-reset');
}
