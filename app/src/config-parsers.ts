import { z } from 'zod';

/** Parsers of environment-variable text (app/src/config.ts): each names what it expected. */

export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const bool = (defaultValue: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return defaultValue;
      const lowered = v.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
      if (['false', '0', 'no', 'off'].includes(lowered)) return false;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

export const int = (defaultValue: number | undefined, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') {
        if (defaultValue === undefined) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is required' });
          return z.NEVER;
        }
        return defaultValue;
      }
      if (!/^\d+$/.test(v.trim())) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

export const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const url = (protocols: string[]) =>
  optionalString.superRefine((v, ctx) => {
    if (v === undefined) return;
    const ok = protocols.some((p) => v.startsWith(p)) && (v.startsWith('sqlite:') || URL.canParse(v));
    if (!ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must start with ${protocols.join(' or ')}` });
  });
