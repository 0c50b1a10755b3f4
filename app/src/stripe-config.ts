import { z } from 'zod';
import { ROLE_PORTS } from './contract';

/** The paid tiers, each sold as one Stripe price. */
export const PAID_TIERS = ['premium', 'pro', 'team'] as const;
export type PaidTier = (typeof PAID_TIERS)[number];

/** What the api needs to sell a plan through Stripe; all of it or none (see parseStripe). */
export interface StripeSettings {
  /** `sk_…` (or a restricted `rk_…` key): creates customers, Checkout and portal sessions. */
  readonly secretKey: string;
  /** `whsec_…`: the endpoint's signing secret; the webhook's signature is checked with it. */
  readonly webhookSecret: string;
  /** The Stripe price id of each paid tier; the webhook maps a subscription's price back to a tier. */
  readonly prices: Readonly<Record<PaidTier, string>>;
  /** The web role's public origin: where Checkout and the portal send the learner back. */
  readonly returnUrl: string;
  /** Not an environment variable: where the SDK sends requests (a local server in tests). @default Stripe's API */
  readonly api?: { readonly host: string; readonly port: number; readonly protocol: 'http' | 'https' };
}

const keyed = (pattern: RegExp, shape: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || pattern.test(v), { message: `expected ${shape}` });

/** The variables, merged into config.ts's EnvSchema (so the charts know them too). */
export const STRIPE_ENV = {
  STRIPE_SECRET_KEY: keyed(/^(sk|rk)_(test|live)_\w+$/, 'a Stripe secret key (sk_test_…, sk_live_… or rk_…)'),
  STRIPE_WEBHOOK_SECRET: keyed(/^whsec_\w+$/, 'a webhook signing secret (whsec_…)'),
  STRIPE_PRICE_PREMIUM: keyed(/^price_\w+$/, 'a Stripe price id (price_…)'),
  STRIPE_PRICE_PRO: keyed(/^price_\w+$/, 'a Stripe price id (price_…)'),
  STRIPE_PRICE_TEAM: keyed(/^price_\w+$/, 'a Stripe price id (price_…)'),
  // Also where password-reset links point (config.ts publicWebUrl).
  PUBLIC_WEB_URL: keyed(/^https?:\/\/[^/\s]+\/?$/, 'an origin such as https://example.com (no path)'),
};

type StripeEnv = { readonly [K in keyof typeof STRIPE_ENV]?: z.infer<(typeof STRIPE_ENV)[K]> };

const REQUIRED = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_PREMIUM', 'STRIPE_PRICE_PRO', 'STRIPE_PRICE_TEAM'] as const;

/**
 * Stripe's settings, or undefined when none of its keys is set: the upgrade page then
 * says checkout is not configured. Half a set is a mistake (a webhook that cannot map
 * prices, a checkout whose payments are never applied), so it is refused by name.
 */
export function parseStripe(e: StripeEnv, development: boolean, problems: string[]): StripeSettings | undefined {
  const missing = REQUIRED.filter((name) => e[name] === undefined);
  if (missing.length === REQUIRED.length) return undefined;
  for (const name of missing) problems.push(`${name}: is required when any STRIPE_* key is set`);
  const returnUrl = e.PUBLIC_WEB_URL?.replace(/\/$/, '') ?? (development ? `http://localhost:${ROLE_PORTS.web}` : undefined);
  if (!returnUrl) problems.push('PUBLIC_WEB_URL: is required with Stripe keys (Checkout returns learners there)');
  if (missing.length > 0 || !returnUrl) return undefined;
  return {
    secretKey: e.STRIPE_SECRET_KEY!,
    webhookSecret: e.STRIPE_WEBHOOK_SECRET!,
    prices: { premium: e.STRIPE_PRICE_PREMIUM!, pro: e.STRIPE_PRICE_PRO!, team: e.STRIPE_PRICE_TEAM! },
    returnUrl,
  };
}
