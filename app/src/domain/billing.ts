import Stripe from 'stripe';
import { z } from 'zod';
import type { Clock } from '../clock';
import type { AccountStore } from '../db/account-stores';
import type { BillingStore } from '../db/billing-store';
import { AppError, Conflict, NotFound, Unavailable } from '../errors';
import { PAID_TIERS, type StripeSettings } from '../stripe-config';

/** Stripe's client and our settings; absent when no keys are configured. */
export interface Billing {
  readonly stripe: Stripe;
  readonly settings: StripeSettings;
}

export interface BillingContext {
  readonly billing?: Billing;
  readonly stores: { readonly accounts: Pick<AccountStore, 'find'>; readonly billing: BillingStore };
  readonly clock: Clock;
}

/** Checkout and the portal answer 503 with this code until the keys are set. */
export class CheckoutNotConfigured extends AppError {
  constructor() {
    super(503, 'checkout_not_configured', 'Online checkout is not configured on this server: the Stripe keys are not set.');
  }
}

export const CheckoutBody = z.object({ tier: z.enum(PAID_TIERS) }).strict();

/** The SDK, pointed at Stripe or (tests, stripe-mock) at `settings.api`. */
export function createBilling(settings: StripeSettings | undefined): Billing | undefined {
  if (!settings) return undefined;
  const stripe = new Stripe(settings.secretKey, {
    // No apiVersion: the SDK then sends the version its types were generated for, so a
    // change of the account's default version in the dashboard cannot change shapes under us.
    maxNetworkRetries: 2,
    timeout: 10_000,
    ...(settings.api ?? {}),
  });
  return { stripe, settings };
}

/**
 * A call to Stripe. When Stripe cannot be reached or answers with its own failure (after
 * the SDK's retries), the learner gets a 503 to try again later, not a 500; a refused
 * request (a wrong price id, a revoked key) stays a 500: it needs an operator.
 */
async function atStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const { StripeConnectionError, StripeAPIError, StripeRateLimitError } = Stripe.errors;
    if (err instanceof StripeConnectionError || err instanceof StripeAPIError || err instanceof StripeRateLimitError) {
      throw new Unavailable('Stripe, our payment provider, cannot be reached right now; nothing was charged. Try again in a minute.');
    }
    throw err;
  }
}

function configured(ctx: BillingContext): Billing {
  if (!ctx.billing) throw new CheckoutNotConfigured();
  return ctx.billing;
}

/**
 * The learner's Stripe customer, created on first use. The idempotency key makes a
 * double click (or a retry) create one customer, not two.
 */
async function customerFor(ctx: BillingContext, billing: Billing, userId: string): Promise<string> {
  const known = await ctx.stores.billing.customerOf(userId);
  if (known) return known;
  const user = await ctx.stores.accounts.find({ id: userId });
  if (!user) throw new NotFound('No such account.');
  const customer = await atStripe(() =>
    billing.stripe.customers.create({ email: user.email, metadata: { user_id: userId } }, { idempotencyKey: `customer-${userId}` }),
  );
  return ctx.stores.billing.link({ user_id: userId, customer_id: customer.id, created_at: ctx.clock.now().toISOString() });
}

/**
 * A Checkout session for a paid tier: Stripe's hosted page takes the card, so no card
 * data reaches us. A learner who already pays changes plan in the portal instead, which
 * keeps one subscription per learner.
 */
export async function startCheckout(ctx: BillingContext, userId: string, body: z.infer<typeof CheckoutBody>): Promise<{ url: string }> {
  const billing = configured(ctx);
  const user = await ctx.stores.accounts.find({ id: userId });
  if (!user) throw new NotFound('No such account.');
  if (user.tier !== 'free')
    throw new Conflict(`You already have the ${user.tier} plan: change it from "Manage subscription" on your account page.`);
  const customer = await customerFor(ctx, billing, userId);
  const web = billing.settings.returnUrl;
  const session = await atStripe(() =>
    billing.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: userId,
      line_items: [{ price: billing.settings.prices[body.tier], quantity: 1 }],
      // {CHECKOUT_SESSION_ID} is filled in by Stripe (docs.stripe.com/payments/checkout/custom-success-page).
      success_url: `${web}/upgrade/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${web}/upgrade/cancelled`,
      subscription_data: { metadata: { user_id: userId, tier: body.tier } },
    }),
  );
  if (!session.url) throw new Error('Stripe answered a Checkout session without a url');
  return { url: session.url };
}

/** A customer-portal session: the learner changes plan, card or cancels on Stripe's page. */
export async function openPortal(ctx: BillingContext, userId: string): Promise<{ url: string }> {
  const billing = configured(ctx);
  const customer = await ctx.stores.billing.customerOf(userId);
  if (!customer) throw new NotFound('You have no subscription to manage yet.');
  const session = await atStripe(() =>
    billing.stripe.billingPortal.sessions.create({ customer, return_url: `${billing.settings.returnUrl}/account` }),
  );
  return { url: session.url };
}

/** Whether checkout can be offered, for the upgrade page. */
export function billingStatus(ctx: Pick<BillingContext, 'billing'>): { checkout_enabled: boolean } {
  return { checkout_enabled: ctx.billing !== undefined };
}
