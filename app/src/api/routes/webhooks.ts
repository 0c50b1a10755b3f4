import Router from '@koa/router';
import type { ApiDeps } from '../app';
import { applyPaymentEvent, PaymentEvent, verifySignature } from '../../domain/payments';

export function webhookRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/webhooks' });

  router.post('/payments', async (ctx) => {
    // The signature is checked on the exact bytes received, before the body is trusted.
    const raw = (ctx.request as unknown as { rawBody?: string }).rawBody;
    const signedAt = verifySignature(deps.config.paymentWebhookSecret, ctx.get('x-signature'), raw, deps.clock);
    const event = PaymentEvent.parse(ctx.request.body);
    ctx.body = { id: event.id, outcome: await applyPaymentEvent(deps, event, signedAt) };
  });

  return router;
}
