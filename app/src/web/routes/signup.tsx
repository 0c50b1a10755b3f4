import Router from '@koa/router';
import { ApiError } from '../api-client';
import type { Session } from '../api-types';
import { redirectWithFlash, rotateCsrf, sendPage, type WebContext, type WebState } from '../context';
import { canonicalTimeZone } from '../../domain/time-zones';
import { EMAIL, bodyOf, fieldErrorsFrom, password, text } from '../forms';
import { SignUpPage, type SignUpValues } from '../pages/auth';
import { FinishSignUpPage, SignUpLinkInvalidPage, SignUpSentPage } from '../pages/signup';
import { frame, type WebRouteDeps } from './shared';

/**
 * Sign-up (issue 15): the form asks the api to mail a link, and the same "check your
 * inbox" page follows for every address; the link's page posts its token back, which
 * creates the account and signs the learner in. No JavaScript needed.
 */
export function signUpRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();
  router.get('signup', '/signup', async (ctx) => {
    sendPage(ctx, 200, <SignUpPage frame={frame(ctx, deps)} values={{}} errors={{}} />);
  });
  router.post('signup', '/signup', (ctx) => signUp(ctx, deps));
  router.get('finishSignUp', '/signup/finish', async (ctx) => {
    // The token is in the URL: Referrer-Policy no-referrer keeps it off other sites.
    ctx.set('Referrer-Policy', 'no-referrer');
    const token = text(ctx.query.token);
    if (!token) sendPage(ctx, 400, <SignUpLinkInvalidPage frame={frame(ctx, deps)} />);
    else sendPage(ctx, 200, <FinishSignUpPage frame={frame(ctx, deps)} token={token} />);
  });
  router.post('finishSignUp', '/signup/finish', (ctx) => finish(ctx, deps));
  return router;
}

/** The form's own checks, as the api's (RegisterBody), so a learner sees them by field. */
function checkForm(values: Required<SignUpValues>, secret: string): { errors: Record<string, string>; timezone: string | null } {
  const errors: Record<string, string> = {};
  if (!EMAIL.test(values.email)) errors.email = 'Enter an email address like name@example.com.';
  if (secret.length < 10) errors.password = 'Choose a password of at least 10 characters.';
  // Empty when the browser told us nothing (no script): the account starts on UTC and the
  // welcome says so. A zone we do not know is asked for instead of being dropped.
  const timezone = values.timezone ? canonicalTimeZone(values.timezone) : null;
  if (values.timezone && timezone === null)
    errors.timezone = `We do not know the time zone “${values.timezone}”. Choose yours from the list.`;
  return { errors, timezone };
}

async function signUp(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const body = bodyOf(ctx);
  const values = { email: text(body.email), name: text(body.name), timezone: text(body.timezone) };
  const secret = password(body.password);
  const { errors, timezone } = checkForm(values, secret);
  if (Object.keys(errors).length > 0) {
    sendPage(ctx, 422, <SignUpPage frame={frame(ctx, deps)} values={values} errors={errors} />);
    return;
  }
  let answer: Partial<Session> | undefined;
  try {
    answer = await ctx.state.learner.anonymous<Partial<Session> | undefined>({
      method: 'POST',
      path: '/auth/register',
      body: {
        email: values.email,
        password: secret,
        ...(values.name ? { name: values.name } : {}),
        ...(timezone ? { timezone } : {}),
      },
    });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500 || error.status === 401) throw error;
    const fieldErrors = fieldErrorsFrom(error, ['email', 'password', 'name', 'timezone']);
    const general =
      error.status === 429 ? 'Too many attempts. Please wait a minute.' : Object.keys(fieldErrors).length ? undefined : error.message;
    sendPage(
      ctx,
      error.status === 429 ? 429 : 422,
      <SignUpPage frame={frame(ctx, deps)} values={values} errors={fieldErrors} general={general} />,
    );
    return;
  }
  // An api of the previous release (during a rollout) still creates the account at once
  // and answers its session: sign the learner in, as that release's web role did. Remove
  // once no api of the release before issue 15's sign-up can run (the next release).
  if (answer?.access_token && answer.user) return signIn(ctx, deps, answer as Session);
  sendPage(ctx, 200, <SignUpSentPage frame={frame(ctx, deps)} />);
}

/** The link's button: the api creates the account; this browser is signed in like after sign-in. */
async function finish(ctx: WebContext, deps: WebRouteDeps): Promise<void> {
  const token = text(bodyOf(ctx).token);
  let session: Session;
  try {
    session = await ctx.state.learner.anonymous<Session>({ method: 'POST', path: '/auth/register/confirm', body: { token } });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500 || error.status === 401) throw error;
    if (error.status === 429) {
      const general = 'Too many attempts. Please wait a minute and try again.';
      sendPage(ctx, 429, <FinishSignUpPage frame={frame(ctx, deps)} token={token} general={general} />);
    } else sendPage(ctx, error.status, <SignUpLinkInvalidPage frame={frame(ctx, deps)} accountExists={error.status === 409} />);
    return;
  }
  signIn(ctx, deps, session);
}

function signIn(ctx: WebContext, deps: WebRouteDeps, session: Session): void {
  ctx.state.learner.start(session);
  rotateCsrf(ctx, deps.runtime);
  // The api keeps UTC when the sign-up form had no zone (no script): the welcome says how to change it.
  redirectWithFlash(ctx, deps.runtime, '/', session.user.timezone === 'UTC' ? 'signed-up-utc' : 'signed-up');
}
