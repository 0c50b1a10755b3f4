import Stripe from 'stripe';
import type { Clock } from '../clock';
import type { AccountStores } from '../db/account-stores';
import type { BillingStore } from '../db/billing-store';
import { NotFound, Unauthorized } from '../errors';
import type { PaidTier, StripeSettings } from '../stripe-config';
import { setTier } from './accounts';
import type { Tier } from './tiers';

/**
 * A signed webhook may arrive at most this long after it was signed (or, with clock
 * skew, this long before): Stripe's own default tolerance, stated here so a test pins it.
 */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The event behind a `Stripe-Signature` header, checked by the SDK over the exact bytes
 * received (docs.stripe.com/webhooks#verify-official-libraries: constructEvent needs the
 * raw body, a re-serialised JSON would not match). `receivedAt` (milliseconds, as the
 * SDK's Webhooks.js reads it) comes from our clock so the tolerance is tested without
 * waiting.
 */
export function verifyEvent(webhookSecret: string, header: string, rawBody: string | undefined, clock: Clock): Stripe.Event {
  if (!header || rawBody === undefined) throw new Unauthorized('The Stripe-Signature header is missing.');
  const nowMs = clock.now().getTime();
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(rawBody, header, webhookSecret, SIGNATURE_TOLERANCE_SECONDS, undefined, nowMs);
  } catch (err) {
    if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new Unauthorized(`The webhook signature does not verify: ${err.message}`);
    }
    throw err;
  }
  // The SDK refuses only old signatures; one dated in the future is as suspect (a
  // captured request kept for later), so the window is symmetric, as ours was.
  const signedAt = Number(/(?:^|,)t=(\d+)/.exec(header)?.[1]);
  if (signedAt * 1000 - nowMs > SIGNATURE_TOLERANCE_SECONDS * 1000) {
    throw new Unauthorized(
      `The webhook was signed ${Math.round(signedAt - nowMs / 1000)} s ahead of our clock; only ${SIGNATURE_TOLERANCE_SECONDS} s is accepted.`,
    );
  }
  return event;
}

/** What a subscription event says about a learner's tier. */
export interface TierChange {
  readonly eventId: string;
  /** Stripe's event type, kept with the delivery (the learner's export shows it). */
  readonly eventType: string;
  readonly customerId: string;
  readonly tier: Tier;
  /** When Stripe created the event (unix seconds): deliveries are ordered by it. */
  readonly createdAt: number;
}

const SUBSCRIPTION_EVENTS = new Set(['customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted']);
/** Stripe keeps retrying a past-due payment; access lasts until it gives up (then the status moves on). */
const PAYING = new Set<Stripe.Subscription.Status>(['active', 'trialing', 'past_due']);

/**
 * The tier a subscription event grants, or undefined for events that change no tier
 * (other types, or a price that is not one of our plans).
 */
export function tierChangeOf(event: Stripe.Event, prices: StripeSettings['prices']): TierChange | undefined {
  if (!SUBSCRIPTION_EVENTS.has(event.type)) return undefined;
  const subscription = event.data.object as Stripe.Subscription;
  const customerId = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
  const base = { eventId: event.id, eventType: event.type, customerId, createdAt: event.created };
  // An incomplete subscription's first payment is still under way (3-D Secure, say): it
  // grants nothing yet and takes nothing away. Were it read as "free", its `created`
  // event, arriving after the `updated` one of the same second, would undo the upgrade.
  if (event.type !== 'customer.subscription.deleted' && subscription.status === 'incomplete') return undefined;
  if (event.type === 'customer.subscription.deleted' || !PAYING.has(subscription.status)) return { ...base, tier: 'free' };
  const priceIds = subscription.items.data.map((item) => item.price.id);
  const tier = (Object.keys(prices) as PaidTier[]).find((t) => priceIds.includes(prices[t]));
  return tier ? { ...base, tier } : undefined;
}

export type PaymentOutcome = 'applied' | 'duplicate' | 'superseded' | 'ignored';

/**
 * Applies a verified tier change once. In one transaction: the event id is recorded (a
 * repeat is a `duplicate` and changes nothing), and an event created before one already
 * applied for the same learner is `superseded` (Stripe does not guarantee delivery
 * order; the newest word on a subscription wins). A failure rolls the record back, so
 * Stripe's retry is applied later rather than lost: a customer not linked to a learner
 * is a 404, which Stripe retries.
 */
export async function applyTierChange(
  ctx: { stores: Pick<AccountStores, 'transaction'> & { billing: BillingStore }; clock: Clock },
  change: TierChange,
): Promise<PaymentOutcome> {
  const userId = await ctx.stores.billing.userOf(change.customerId);
  if (!userId) throw new NotFound('No learner is linked to this Stripe customer.');
  return ctx.stores.transaction(async (stores) => {
    const user = await stores.accounts.find({ id: userId });
    if (!user) throw new NotFound('No such account.');
    // Claim the id first: of two deliveries racing in, the second waits here for the
    // first to commit and then inserts nothing, instead of failing on the primary key.
    const claimed = await stores.payments.claim({
      id: change.eventId,
      email: user.email,
      event: change.eventType,
      signed_at: change.createdAt,
      received_at: ctx.clock.now().toISOString(),
    });
    if (!claimed) return 'duplicate';
    if (await stores.payments.newerApplied(user.email, change.createdAt, change.eventId)) {
      await stores.payments.markSuperseded(change.eventId);
      return 'superseded';
    }
    await setTier({ stores, clock: ctx.clock }, { id: userId }, change.tier, 'payment_webhook');
    return 'applied';
  });
}
