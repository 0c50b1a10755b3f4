import type { Plan, Tier } from '../api-types';
import { formatPrice } from './chapter';
import { CsrfField, Layout, type Frame } from './layout';

/** What the plans page knows of the visitor. */
export type Buyer = { readonly kind: 'signed-out' } | { readonly kind: 'free' } | { readonly kind: 'paying'; readonly tier: Tier };

/** One plan's "Buy" button: a plain form, so it works without JavaScript. */
function BuyForm({ plan, csrfToken }: { plan: Plan; csrfToken: string }) {
  return (
    <form method="post" action="/upgrade/checkout">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="tier" value={plan.tier} />
      <button type="submit" aria-label={`Buy the ${plan.name} plan, ${formatPrice(plan)}`}>
        Buy {plan.name}
      </button>
    </form>
  );
}

/** "Manage subscription": a form, because opening the portal creates a session at Stripe. */
export function ManageSubscription({ csrfToken }: { csrfToken: string }) {
  return (
    <form method="post" action="/account/billing">
      <CsrfField token={csrfToken} />
      <button type="submit" class="secondary">
        Manage subscription
      </button>
    </form>
  );
}

function PlanCard({ plan, buyer, checkoutEnabled, csrfToken }: { plan: Plan; buyer: Buyer; checkoutEnabled: boolean; csrfToken: string }) {
  const current = buyer.kind === 'paying' ? buyer.tier === plan.tier : buyer.kind === 'free' && plan.tier === 'free';
  return (
    <li class="card">
      <h2>{plan.name}</h2>
      <p class="price">{formatPrice(plan)}</p>
      <p>{plan.chapters}</p>
      {current && (
        <p>
          <strong>Your current plan</strong>
        </p>
      )}
      {plan.tier !== 'free' && checkoutEnabled && buyer.kind === 'free' && <BuyForm plan={plan} csrfToken={csrfToken} />}
    </li>
  );
}

/** What stands above the plans: how to buy, or why one cannot here. */
function HowToBuy({ frame, buyer, checkoutEnabled, problem }: { frame: Frame; buyer: Buyer; checkoutEnabled: boolean; problem?: string }) {
  if (problem)
    return (
      <p class="field-error" role="alert">
        {problem}
      </p>
    );
  if (!checkoutEnabled) {
    return (
      <p role="status">
        Online checkout is not configured on this server (its Stripe keys are not set), so plans cannot be bought here. An administrator can
        still change your plan.
      </p>
    );
  }
  if (buyer.kind === 'signed-out') {
    return (
      <p>
        <a href="/signin?next=%2Fupgrade">Sign in</a> or <a href="/signup">create an account</a> to buy a plan.
      </p>
    );
  }
  if (buyer.kind === 'paying') {
    return (
      <>
        <p>You have the {buyer.tier} plan. Change plan, update your card or cancel on Stripe’s page:</p>
        <ManageSubscription csrfToken={frame.csrfToken} />
      </>
    );
  }
  return <p>Payment happens on Stripe’s secure page; your card details never reach Course Companion. Cancel any time.</p>;
}

/** `/upgrade`: every plan, with a "Buy" form for each paid one when checkout is configured. */
export function PlansPage(props: { frame: Frame; plans: readonly Plan[]; buyer: Buyer; checkoutEnabled: boolean; problem?: string }) {
  const { frame, buyer, checkoutEnabled } = props;
  return (
    <Layout frame={frame} title="Plans">
      <section class="upgrade" aria-labelledby="plans-title">
        <h1 id="plans-title">Plans</h1>
        <HowToBuy frame={frame} buyer={buyer} checkoutEnabled={checkoutEnabled} problem={props.problem} />
        <ul class="plans">
          {props.plans.map((plan) => (
            <PlanCard key={plan.tier} plan={plan} buyer={buyer} checkoutEnabled={checkoutEnabled} csrfToken={frame.csrfToken} />
          ))}
        </ul>
      </section>
    </Layout>
  );
}

/** Where Stripe sends the learner back after paying (success) or giving up (cancelled). */
export function CheckoutReturnPage({ frame, outcome, tier }: { frame: Frame; outcome: 'success' | 'cancelled'; tier?: Tier }) {
  const title = outcome === 'success' ? 'Thank you for subscribing' : 'Checkout cancelled';
  return (
    <Layout frame={frame} title={title}>
      <section aria-labelledby="return-title">
        <h1 id="return-title">{title}</h1>
        {outcome === 'success' ? (
          <p role="status">
            {tier && tier !== 'free'
              ? `Your ${tier} plan is active: every chapter is open.`
              : 'Stripe is confirming your payment; your plan opens the chapters within a minute. Reload this page to check.'}
          </p>
        ) : (
          <p>Nothing was charged. You can choose a plan again whenever you like.</p>
        )}
        <div class="actions">
          <a class="button" href="/">
            Back to the course
          </a>
          {outcome === 'cancelled' && (
            <a class="button secondary" href="/upgrade">
              See the plans
            </a>
          )}
        </div>
      </section>
    </Layout>
  );
}
