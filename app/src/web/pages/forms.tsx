/** Field-level errors, keyed by the field's name. */
export type FieldErrors = Readonly<Record<string, string>>;

/**
 * A labelled text input whose error (if any) is tied to it with aria-describedby and
 * aria-invalid, so a screen reader announces the problem with the field.
 */
export function TextField(props: {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  value?: string;
  hint?: string;
  errors: FieldErrors;
  required?: boolean;
  autocomplete?: string;
  minLength?: number;
}) {
  const id = `field-${props.name}`;
  const error = props.errors[props.name];
  const describedBy = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div>
      <label htmlFor={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        autoComplete={props.autocomplete}
        minLength={props.minLength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A labelled choice of time zone (the one list, domain/time-zones.ts), its error tied to it like TextField's. */
export function TimeZoneSelect(props: { zones: readonly string[]; selected: string; errors: FieldErrors }) {
  const error = props.errors.timezone;
  return (
    <div>
      <label htmlFor="field-timezone">Time zone</label>
      <select
        id="field-timezone"
        name="timezone"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'field-timezone-error' : undefined}
      >
        {/* A valid zone outside the list (Etc/GMT+5, set through the api) stays chosen rather than becoming the first option on save. */}
        {(props.zones.includes(props.selected) ? props.zones : [props.selected, ...props.zones]).map((zone) => (
          <option key={zone} value={zone} selected={zone === props.selected}>
            {zone}
          </option>
        ))}
      </select>
      {error && (
        <p class="field-error" id="field-timezone-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The list of problems at the top of a refused form, each linking to its field. */
export function ErrorSummary({ errors, general }: { errors: FieldErrors; general?: string }) {
  const entries = Object.entries(errors);
  if (entries.length === 0 && !general) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>
        {general && <li>{general}</li>}
        {entries.map(([name, message]) => (
          <li key={name}>
            <a href={`#field-${name}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
