import type { ApiError } from './api-client';
import type { WebAppContext, WebContext } from './context';
import type { FieldErrors } from './pages/forms';

/** The time zones a learner may pick: UTC first, then the runtime's IANA list. */
export const TIMEZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type FormBody = Record<string, unknown>;

/** The parsed form (or JSON) body; `{}` when there is none (@koa/bodyparser types it `any`). */
export const bodyOf = (ctx: WebAppContext): FormBody => (ctx.request.body as FormBody | undefined) ?? {};

/** A text field, trimmed; anything but a string is empty. */
export const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** A password field: kept exactly as typed (no trimming). */
export const password = (value: unknown): string => (typeof value === 'string' ? value : '');

/** `/chapters/:number` takes a positive integer and nothing else. */
export function chapterNumber(ctx: WebContext): number | null {
  const raw = ctx.params.number ?? '';
  return /^[1-9][0-9]{0,3}$/.test(raw) ? Number(raw) : null;
}

/** Map the api's zod issues (`details.issues[].path`) onto our form fields. */
export function fieldErrorsFrom(error: ApiError, fields: readonly string[]): FieldErrors {
  const issues = Array.isArray(error.details.issues) ? (error.details.issues as { path?: unknown[]; message?: string }[]) : [];
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const first = issue.path?.[0];
    const field = typeof first === 'string' || typeof first === 'number' ? String(first) : '';
    if (fields.includes(field) && !errors[field]) errors[field] = issue.message ?? `Check the ${field}.`;
  }
  return errors;
}
