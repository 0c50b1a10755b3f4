import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock';
import type { AccountStores } from '../db/account-stores';
import { Unauthorized } from '../errors';
import { secretsEqual } from './secrets';
import { setTier } from './accounts';
import { TIERS } from './tiers';

/**
 * A signed payment event may arrive at most this long after it was signed (or, with
 * clock skew, this long before). Outside the window a captured request is worthless.
 */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export const PaymentEvent = z
  .object({
    /** The provider's unique event id: a second delivery of the same id changes nothing. */
    id: z.string().trim().min(1).max(100),
    event: z.enum(['subscription.updated', 'subscription.cancelled']),
    email: z.string().trim().toLowerCase().email().max(320),
    tier: z.enum(TIERS),
  })
  .strict();
export type PaymentEvent = z.infer<typeof PaymentEvent>;

/**
 * The `X-Signature` header for `rawBody` signed at `timestamp` (unix seconds):
 * `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. The timestamp is
 * inside the signed text, so it cannot be changed to make an old request look new.
 */
export function signPayload(secret: string, rawBody: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** Checks the signature over the exact bytes received; returns when it was signed. */
export function verifySignature(secret: string | undefined, header: string, rawBody: string | undefined, clock: Clock): number {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!secret || rawBody === undefined || !match) {
    throw new Unauthorized('The webhook signature is missing or malformed (expected "t=<unix seconds>,v1=<hex>").');
  }
  const timestamp = Number(match[1]);
  if (!secretsEqual(header.trim(), signPayload(secret, rawBody, timestamp))) {
    throw new Unauthorized('The webhook signature is wrong.');
  }
  const ageSeconds = clock.now().getTime() / 1000 - timestamp;
  if (Math.abs(ageSeconds) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new Unauthorized(`The webhook was signed ${Math.round(ageSeconds)} s from now; only ±${SIGNATURE_TOLERANCE_SECONDS} s is accepted.`);
  }
  return timestamp;
}

export type PaymentOutcome = 'applied' | 'duplicate' | 'superseded';

/**
 * Applies a verified event once. In one transaction: the event id is recorded (a
 * repeat is a `duplicate` and changes nothing), and an event signed before one already
 * applied for the same learner is `superseded` (deliveries may arrive out of order; the
 * newest word on a subscription wins). A failure rolls the record back, so the
 * provider's retry is applied later rather than lost.
 */
export async function applyPaymentEvent(
  ctx: { stores: Pick<AccountStores, 'transaction'>; clock: Clock },
  event: PaymentEvent,
  signedAt: number,
): Promise<PaymentOutcome> {
  return ctx.stores.transaction(async (stores) => {
    // Claim the id first: of two deliveries racing in, the second waits here for the
    // first to commit and then inserts nothing, instead of failing on the primary key.
    const claimed = await stores.payments.claim({
      id: event.id,
      email: event.email,
      event: event.event,
      signed_at: signedAt,
      received_at: ctx.clock.now().toISOString(),
    });
    if (!claimed) return 'duplicate';
    if (await stores.payments.newerApplied(event.email, signedAt, event.id)) {
      await stores.payments.markSuperseded(event.id);
      return 'superseded';
    }
    const tier = event.event === 'subscription.cancelled' ? 'free' : event.tier;
    await setTier({ stores, clock: ctx.clock }, { email: event.email }, tier, 'payment_webhook');
    return 'applied';
  });
}
