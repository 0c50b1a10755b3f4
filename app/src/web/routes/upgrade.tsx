import Router from '@koa/router';
import { ApiError } from '../api-client';
import type { BillingStatus, HostedPage, Plan, User } from '../api-types';
import { sendPage, type WebContext, type WebState } from '../context';
import { bodyOf, text } from '../forms';
import { CheckoutReturnPage, PlansPage, type Buyer } from '../pages/upgrade';
import { frame, type WebRouteDeps } from './shared';

const PAID_TIERS: readonly string[] = ['premium', 'pro', 'team'];

/**
 * Buying a plan: the plans page with its "Buy" forms, the hop to Stripe Checkout, the
 * pages Checkout returns to, and the hop to the customer portal. Stripe's pages take
 * the card; this role only redirects (303) to the URLs the api got from Stripe.
 */
export function upgradeRoutes(deps: WebRouteDeps): Router<WebState> {
  const router = new Router<WebState>();

  router.get('plans', '/upgrade', async (ctx) => sendPlans(ctx, deps, 200));

  router.post('checkout', '/upgrade/checkout', signedInToBuy, async (ctx) => {
    const tier = text(bodyOf(ctx).tier);
    if (!PAID_TIERS.includes(tier)) return sendPlans(ctx, deps, 422, 'Choose one of the paid plans below.');
    // The api answers 503 without keys, which this role would show as "the api is
    // down": ask first, and explain instead.
    const status = await ctx.state.learner.anonymous<BillingStatus>({ method: 'GET', path: '/billing' });
    if (!status.checkout_enabled) return sendPlans(ctx, deps, 503);
    try {
      await redirectTo(ctx, ctx.state.learner.call<HostedPage>({ method: 'POST', path: '/billing/checkout', body: { tier } }));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
      await sendPlans(ctx, deps, 409, error.message);
    }
  });

  router.get('checkoutSuccess', '/upgrade/success', async (ctx) => {
    // The webhook usually lands before the learner does; if not, the page says so.
    const buyer = await buyerOf(ctx);
    const tier = buyer.kind === 'paying' ? buyer.tier : undefined;
    sendPage(ctx, 200, <CheckoutReturnPage frame={frame(ctx, deps)} outcome="success" tier={tier} />);
  });

  router.get('checkoutCancelled', '/upgrade/cancelled', (ctx) => {
    sendPage(ctx, 200, <CheckoutReturnPage frame={frame(ctx, deps)} outcome="cancelled" />);
  });

  router.post('manageSubscription', '/account/billing', signedInToBuy, async (ctx) => {
    const status = await ctx.state.learner.anonymous<BillingStatus>({ method: 'GET', path: '/billing' });
    if (!status.checkout_enabled) return sendPlans(ctx, deps, 503);
    try {
      await redirectTo(ctx, ctx.state.learner.call<HostedPage>({ method: 'POST', path: '/billing/portal' }));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      await sendPlans(ctx, deps, 409, 'You have no subscription to manage yet: choose a plan below.');
    }
  });

  return router;
}

/** A POST without a session: sign in, then come back to the plans (a POST cannot be replayed). */
async function signedInToBuy(ctx: WebContext, next: () => Promise<unknown>): Promise<void> {
  if (ctx.state.learner.hasSession) {
    await next();
    return;
  }
  ctx.status = 303;
  ctx.redirect('/signin?next=%2Fupgrade');
}

async function redirectTo(ctx: WebContext, page: Promise<HostedPage>): Promise<void> {
  const { url } = await page;
  ctx.status = 303;
  ctx.redirect(url);
}

async function buyerOf(ctx: WebContext): Promise<Buyer> {
  if (!ctx.state.learner.hasSession) return { kind: 'signed-out' };
  try {
    const user = await ctx.state.learner.call<User>({ method: 'GET', path: '/me' });
    return user.tier === 'free' ? { kind: 'free' } : { kind: 'paying', tier: user.tier };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { kind: 'signed-out' };
    throw error;
  }
}

async function sendPlans(ctx: WebContext, deps: WebRouteDeps, status: number, problem?: string): Promise<void> {
  const learner = ctx.state.learner;
  const [{ plans }, billing, buyer] = await Promise.all([
    learner.anonymous<{ plans: Plan[] }>({ method: 'GET', path: '/plans' }),
    learner.anonymous<BillingStatus>({ method: 'GET', path: '/billing' }),
    buyerOf(ctx),
  ]);
  sendPage(
    ctx,
    status,
    <PlansPage frame={frame(ctx, deps)} plans={plans} buyer={buyer} checkoutEnabled={billing.checkout_enabled} problem={problem} />,
  );
}
