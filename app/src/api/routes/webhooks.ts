import Router from '@koa/router';
import type { ApiContext } from '../app';
import type { ApiState } from '../state';
import { CheckoutNotConfigured } from '../../domain/billing';
import { applyTierChange, tierChangeOf, verifyEvent } from '../../domain/payments';

export function webhookRoutes(deps: ApiContext): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/webhooks' });

  // Stripe's webhook endpoint (docs/contracts.md). The signature is checked on the exact
  // bytes received, before anything in the body is trusted.
  router.post('/payments', async (ctx) => {
    const settings = deps.config.stripe;
    if (!settings) throw new CheckoutNotConfigured();
    const raw = (ctx.request as unknown as { rawBody?: string }).rawBody;
    const event = verifyEvent(settings.webhookSecret, ctx.get('stripe-signature'), raw, deps.clock);
    const change = tierChangeOf(event, settings.prices);
    ctx.body = { id: event.id, outcome: change ? await applyTierChange(deps, change) : 'ignored' };
  });

  return router;
}
