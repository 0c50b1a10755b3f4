/**
 * What an environment file says about each role of the app and its images: resources,
 * replicas, egress, settings and the image pins `npm run promote` rewrites.
 */
import { z } from 'zod';
import { cpuQuantity, memoryQuantity } from './primitives';

const resources = z
  .object({
    requests: z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict(),
    limits: z.object({ cpu: cpuQuantity, memory: memoryQuantity }).strict(),
  })
  .strict();

const scaling = z
  .object({
    min: z.number().int().min(1, 'at least 1 replica'),
    max: z.number().int().min(1, 'at least 1 replica'),
    /** Average CPU utilisation (percent of requests) the HPA aims for. */
    targetCPUUtilization: z.number().int().min(10).max(100).default(70),
  })
  .strict()
  .refine((s) => s.max >= s.min, { message: 'a number >= scaling.min', path: ['max'] });

/** What a role may reach beyond the namespace (DESIGN.md, NetworkPolicy). */
const egress = z
  .object({
    /** HTTPS (443) to addresses outside the cluster, e.g. Sentry or object storage. */
    internetHttps: z.boolean().default(false),
    /** Mail submission to the SMTP relay of SMTP_URL outside the cluster (587, or 465 for smtps). */
    smtpPort: z.union([z.literal(465), z.literal(587)]).optional(),
  })
  .strict();

export const role = <C extends z.ZodTypeAny>(config: C) =>
  z
    .object({
      scaling,
      resources,
      config,
      egress: egress.default({}),
    })
    .strict();

/** An image by digest; `npm run promote` rewrites these two fields (scripts/lib/pin.ts). */
export const imagePin = z
  .object({
    repository: z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/, 'an image repository without tag, e.g. "ghcr.io/org/app"'),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'an image digest "sha256:" followed by 64 hex digits'),
  })
  .strict();
