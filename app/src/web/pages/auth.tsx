import { CsrfField, Layout, type Frame } from './layout';
import { TIME_ZONES } from '../../domain/time-zones';
import { ErrorSummary, TextField, TimeZoneSelect, type FieldErrors } from './forms';

export interface SignUpValues {
  readonly email?: string;
  readonly name?: string;
  readonly timezone?: string;
}

export function SignUpPage(props: { frame: Frame; values: SignUpValues; errors: FieldErrors; general?: string }) {
  const { frame, values, errors } = props;
  return (
    <Layout frame={frame} title="Sign up">
      <h1>Create your account</h1>
      <p>Free accounts read the first chapters and take their quizzes. Your progress and streak are saved as you go.</p>
      <ErrorSummary errors={errors} general={props.general} />
      <form method="post" action="/signup">
        <CsrfField token={frame.csrfToken} />
        <TextField name="name" label="Name (optional)" value={values.name} errors={errors} autocomplete="name" />
        <TextField name="email" label="Email" type="email" value={values.email} errors={errors} required autocomplete="email" />
        <TextField
          name="password"
          label="Password"
          type="password"
          hint="At least 10 characters."
          errors={errors}
          required
          minLength={10}
          autocomplete="new-password"
        />
        {errors.timezone ? (
          // The browser's zone was not one we know: the learner chooses, rather than silently getting UTC.
          <TimeZoneSelect zones={TIME_ZONES} selected="UTC" errors={errors} />
        ) : (
          // Filled in from the browser by the enhancement script; the account page sets it otherwise.
          <input type="hidden" name="timezone" value={values.timezone ?? ''} data-detect="timezone" />
        )}
        <div class="actions">
          <button type="submit">Sign up</button>
          <a href="/signin">I already have an account</a>
        </div>
      </form>
    </Layout>
  );
}

export function SignInPage(props: { frame: Frame; email?: string; next?: string; errors: FieldErrors; general?: string }) {
  const { frame, errors } = props;
  return (
    <Layout frame={frame} title="Sign in">
      <h1>Sign in</h1>
      <ErrorSummary errors={errors} general={props.general} />
      <form method="post" action="/signin">
        <CsrfField token={frame.csrfToken} />
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <TextField name="email" label="Email" type="email" value={props.email} errors={errors} required autocomplete="email" />
        <TextField name="password" label="Password" type="password" errors={errors} required autocomplete="current-password" />
        <div class="actions">
          <button type="submit">Sign in</button>
          <a href="/forgot-password">Forgot your password?</a>
          <a href="/signup">Create an account</a>
        </div>
      </form>
    </Layout>
  );
}
