import Router from '@koa/router';
import type { ApiContext } from '../app';
import type { ApiState } from '../state';
import { applyPaymentEvent, PaymentEvent, verifySignature } from '../../domain/payments';

export function webhookRoutes(deps: ApiContext): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/webhooks' });

  router.post('/payments', async (ctx) => {
    // The signature is checked on the exact bytes received, before the body is trusted.
    const raw = (ctx.request as unknown as { rawBody?: string }).rawBody;
    const signedAt = verifySignature(deps.config.paymentWebhookSecret, ctx.get('x-signature'), raw, deps.clock);
    const event = PaymentEvent.parse(ctx.request.body);
    ctx.body = { id: event.id, outcome: await applyPaymentEvent(deps, event, signedAt) };
  });

  return router;
}
