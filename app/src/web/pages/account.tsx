import type { User } from '../api-types';
import { CsrfField, Layout, type Frame } from './layout';
import { canonicalTimeZone } from '../../domain/time-zones';
import { ErrorSummary, TextField, TimeZoneSelect, type FieldErrors } from './forms';
import { ManageSubscription } from './upgrade';

export function AccountPage(props: { frame: Frame; user: User; timezones: readonly string[]; errors: FieldErrors }) {
  const { frame, user, errors } = props;
  return (
    <Layout frame={frame} title="Your account">
      <h1>Your account</h1>
      <ErrorSummary errors={errors} />
      <PlanSummary user={user} csrfToken={frame.csrfToken} />

      <TimeZoneSection csrfToken={frame.csrfToken} user={user} timezones={props.timezones} errors={errors} />

      <section aria-labelledby="export-title">
        <h2 id="export-title">Your data</h2>
        <p>Download everything Course Companion holds about you, as a JSON file.</p>
        <p>
          <a class="button secondary" href="/account/export" download="course-companion-export.json">
            Export my data
          </a>
        </p>
      </section>

      <SignInSection csrfToken={frame.csrfToken} />

      <DeleteSection csrfToken={frame.csrfToken} errors={errors} />
    </Layout>
  );
}

/** Who the learner is and their plan, with the way to change it. */
function PlanSummary({ user, csrfToken }: { user: User; csrfToken: string }) {
  return (
    <>
      <dl class="card">
        <dt>Email</dt>
        <dd>{user.email}</dd>
        {user.name && (
          <>
            <dt>Name</dt>
            <dd>{user.name}</dd>
          </>
        )}
        <dt>Plan</dt>
        <dd>{user.tier}</dd>
      </dl>
      {user.tier === 'free' ? (
        <p>
          <a class="button" href="/upgrade">
            Upgrade your plan
          </a>
        </p>
      ) : (
        <ManageSubscription csrfToken={csrfToken} />
      )}
    </>
  );
}

function TimeZoneSection(props: { csrfToken: string; user: User; timezones: readonly string[]; errors: FieldErrors }) {
  return (
    <section aria-labelledby="zone-title">
      <h2 id="zone-title">Time zone</h2>
      <p>Your daily streak counts days in this time zone.</p>
      <form method="post" action="/account">
        <CsrfField token={props.csrfToken} />
        {/* A zone stored under an older name (Asia/Calcutta) is shown under its current one. */}
        <TimeZoneSelect
          zones={props.timezones}
          selected={canonicalTimeZone(props.user.timezone) ?? props.user.timezone}
          errors={props.errors}
        />
        <div class="actions">
          <button type="submit">Save time zone</button>
        </div>
      </form>
    </section>
  );
}

function SignInSection({ csrfToken }: { csrfToken: string }) {
  return (
    <section aria-labelledby="security-title">
      <h2 id="security-title">Password and sign-in</h2>
      <p>
        <a class="button secondary" href="/account/password">
          Change my password
        </a>
      </p>
      <p>Lost a device, or signed in on a shared computer? End every sign-in, this one included.</p>
      <form method="post" action="/account/sign-out-everywhere">
        <CsrfField token={csrfToken} />
        <div class="actions">
          <button type="submit" class="secondary">
            Sign out everywhere
          </button>
        </div>
      </form>
    </section>
  );
}

/** Deletion asks for a tick and the password (re-authentication, issue 15). */
function DeleteSection({ csrfToken, errors }: { csrfToken: string; errors: FieldErrors }) {
  const confirmError = errors.confirm;
  return (
    <section aria-labelledby="delete-title" class="card danger-zone">
      <h2 id="delete-title">Delete my account</h2>
      <p>This removes your account, progress, quiz attempts and streak for good. It cannot be undone.</p>
      <form method="post" action="/account/delete">
        <CsrfField token={csrfToken} />
        <label class="choice" htmlFor="field-confirm">
          <input
            id="field-confirm"
            type="checkbox"
            name="confirm"
            value="delete"
            required
            aria-invalid={confirmError ? 'true' : undefined}
            aria-describedby={confirmError ? 'field-confirm-error' : undefined}
          />
          <span>I understand that my account and all my progress will be deleted.</span>
        </label>
        {confirmError && (
          <p class="field-error" id="field-confirm-error">
            {confirmError}
          </p>
        )}
        <TextField name="password" label="Your password" type="password" errors={errors} required autocomplete="current-password" />
        <div class="actions">
          <button type="submit" class="danger">
            Delete my account
          </button>
        </div>
      </form>
    </section>
  );
}
