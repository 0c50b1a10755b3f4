import { CsrfField, Layout, type Frame } from './layout';
import { ErrorSummary, TextField, type FieldErrors } from './forms';

/** Change the password: the current one is required; other sign-ins end. */
export function ChangePasswordPage(props: { frame: Frame; errors: FieldErrors; general?: string }) {
  const { frame, errors } = props;
  return (
    <Layout frame={frame} title="Change your password">
      <h1>Change your password</h1>
      <p>You stay signed in here; every other browser and device where you are signed in is signed out.</p>
      <ErrorSummary errors={errors} general={props.general} />
      <form method="post" action="/account/password">
        <CsrfField token={frame.csrfToken} />
        <TextField
          name="current_password"
          label="Current password"
          type="password"
          errors={errors}
          required
          autocomplete="current-password"
        />
        <NewPasswordField errors={errors} />
        <div class="actions">
          <button type="submit">Change password</button>
          <a href="/account">Cancel</a>
        </div>
      </form>
    </Layout>
  );
}

/** Ask for a reset link by e-mail. */
export function ForgotPasswordPage(props: { frame: Frame; email?: string; errors: FieldErrors; general?: string }) {
  const { frame, errors } = props;
  return (
    <Layout frame={frame} title="Reset your password">
      <h1>Reset your password</h1>
      <p>Enter the email address of your account. We will send you a link to choose a new password.</p>
      <ErrorSummary errors={errors} general={props.general} />
      <form method="post" action="/forgot-password">
        <CsrfField token={frame.csrfToken} />
        <TextField name="email" label="Email" type="email" value={props.email} errors={errors} required autocomplete="email" />
        <div class="actions">
          <button type="submit">Send reset link</button>
          <a href="/signin">Back to sign in</a>
        </div>
      </form>
    </Layout>
  );
}

/** The same page whether or not the address has an account. */
export function ResetLinkSentPage(props: { frame: Frame }) {
  return (
    <Layout frame={props.frame} title="Check your email">
      <h1>Check your email</h1>
      <p role="status">If an account uses this address, a link to reset its password is on its way. It works once, for 30 minutes.</p>
      <p>
        <a href="/signin">Back to sign in</a>
      </p>
    </Layout>
  );
}

/** Choose a new password with the link from the mail. */
export function ResetPasswordPage(props: { frame: Frame; token: string; errors: FieldErrors; general?: string }) {
  const { frame, errors } = props;
  return (
    <Layout frame={frame} title="Choose a new password">
      <h1>Choose a new password</h1>
      <p>Every browser and device where you are signed in will be signed out.</p>
      <ErrorSummary errors={errors} general={props.general} />
      <form method="post" action="/reset-password">
        <CsrfField token={frame.csrfToken} />
        <input type="hidden" name="token" value={props.token} />
        <NewPasswordField errors={errors} />
        <div class="actions">
          <button type="submit">Save new password</button>
          <a href="/forgot-password">Ask for a new link</a>
        </div>
      </form>
    </Layout>
  );
}

/** The new password, with the api's rule (NewPassword: at least 10 characters) as the hint. */
function NewPasswordField({ errors }: { errors: FieldErrors }) {
  return (
    <TextField
      name="new_password"
      label="New password"
      type="password"
      hint="At least 10 characters."
      errors={errors}
      required
      minLength={10}
      autocomplete="new-password"
    />
  );
}
