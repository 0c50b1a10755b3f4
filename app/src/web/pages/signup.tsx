import { CsrfField, Layout, type Frame } from './layout';
import { ErrorSummary } from './forms';

/**
 * The pages of sign-up after the form (issue 15): the account exists only once the link
 * mailed to the address is followed, so the form's answer is the same for every address.
 */

/** The same page whether or not the address has an account: its mail says which. */
export function SignUpSentPage(props: { frame: Frame }) {
  return (
    <Layout frame={props.frame} title="Check your inbox">
      <h1>Check your inbox</h1>
      <p role="status">We sent you an email. Open the link in it to finish signing up; it works once, for 24 hours.</p>
      <p>No email? Check your spam folder, or sign up again to get a new link.</p>
      <p>
        <a href="/signin">Back to sign in</a>
      </p>
    </Layout>
  );
}

/**
 * What the mailed link opens. Opening it changes nothing (mail scanners fetch links):
 * the button posts the token, and only that creates the account.
 */
export function FinishSignUpPage(props: { frame: Frame; token: string; general?: string }) {
  const { frame } = props;
  return (
    <Layout frame={frame} title="Finish signing up">
      <h1>Finish signing up</h1>
      <ErrorSummary errors={{}} general={props.general} />
      <p>Your email address is confirmed once you press the button. You will be signed in and taken to the course.</p>
      <form method="post" action="/signup/finish">
        <CsrfField token={frame.csrfToken} />
        <input type="hidden" name="token" value={props.token} />
        <div class="actions">
          <button type="submit">Finish signing up</button>
        </div>
      </form>
    </Layout>
  );
}

/** A link that was used already, has expired or was never ours; or its address got an account meanwhile. */
export function SignUpLinkInvalidPage(props: { frame: Frame; accountExists?: boolean }) {
  return (
    <Layout frame={props.frame} title="This sign-up link does not work">
      <h1>This sign-up link does not work</h1>
      {props.accountExists ? (
        <p>An account with this email address exists already. Sign in, or reset your password if you forgot it.</p>
      ) : (
        <p>It was used already or has expired: each link works once, for 24 hours. Sign up again to get a new one.</p>
      )}
      <div class="actions">
        {props.accountExists ? (
          <>
            <a class="button" href="/signin">
              Sign in
            </a>
            <a href="/forgot-password">Forgot your password?</a>
          </>
        ) : (
          <>
            <a class="button" href="/signup">
              Sign up again
            </a>
            <a href="/signin">Sign in</a>
          </>
        )}
      </div>
    </Layout>
  );
}
