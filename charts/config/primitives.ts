/**
 * Field types the configuration schemas share (environment files, gitops.yaml,
 * cluster.yaml): each refuses a bad value with a message that says what was expected.
 */
import { z } from 'zod';

export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and "-", at most 63 characters');
export const hostname = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a fully qualified lower-case host name such as "api.example.com"',
  );
/** Kubernetes resource quantities, e.g. `250m`, `1`, `512Mi`. */
export const cpuQuantity = z.string().regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, 'a CPU quantity such as "250m" or "1"');
export const memoryQuantity = z.string().regex(/^[0-9]+(Ki|Mi|Gi|Ti)$/, 'a memory quantity such as "256Mi" or "1Gi"');
/** Argo Rollouts duration: a number followed by s, m or h. */
export const duration = z.string().regex(/^[1-9][0-9]*(s|m|h)$/, 'a duration such as "30s", "10m" or "1h"');
/** Five-field cron expression (minute hour day-of-month month day-of-week). */
export const cron = z.string().regex(/^(\S+\s+){4}\S+$/, 'a five-field cron expression such as "0 2 * * 0"');
/** An IANA time zone the runtime knows, e.g. `Etc/UTC` or `Europe/Berlin`. */
export const ianaTimeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return zone.length > 0;
    } catch {
      return false;
    }
  },
  { message: 'an IANA time zone such as "Etc/UTC"' },
);
export const ratio = z.number().gt(0, 'a ratio above 0').lte(1, 'a ratio of at most 1');
export const cidr = z.string().regex(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/, 'an IPv4 CIDR such as "10.0.0.0/16"');
export const port = z.number().int().min(1).max(65535);
/** Names of environment variables the pods read from a Secret. */
export const envVarName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an upper-case environment variable name');
export const remoteKey = z.string().min(1, 'a non-empty key in the secret store');
