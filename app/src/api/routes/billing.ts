import Router from '@koa/router';
import type { ApiContext } from '../app';
import type { ApiState, SignedInState } from '../state';
import { CheckoutBody, billingStatus, openPortal, startCheckout } from '../../domain/billing';
import { requireUser } from '../middleware/auth';

/** Buying a plan: Stripe Checkout for a new subscription, the customer portal for an existing one. */
export function billingRoutes(deps: ApiContext): Router<ApiState> {
  const router = new Router<ApiState>();
  const auth = requireUser(deps);

  router.get('/billing', (ctx) => {
    ctx.body = billingStatus(deps);
  });

  router.post<SignedInState>('/billing/checkout', auth, async (ctx) => {
    ctx.body = await startCheckout(deps, ctx.state.user.id, CheckoutBody.parse(ctx.request.body));
  });

  router.post<SignedInState>('/billing/portal', auth, async (ctx) => {
    ctx.body = await openPortal(deps, ctx.state.user.id);
  });

  return router;
}
