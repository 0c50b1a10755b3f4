import { createHmac } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import type { ApiDeps } from '../app';
import { setTier } from '../../domain/accounts';
import { TIERS } from '../../domain/tiers';
import { Unauthorized } from '../../errors';
import { secretsEqual } from './admin';

export const PaymentEvent = z
  .object({
    event: z.enum(['subscription.updated', 'subscription.cancelled']),
    email: z.string().trim().toLowerCase().email().max(320),
    tier: z.enum(TIERS),
  })
  .strict();

/** `sha256=<hex>` of the raw body under the shared secret, as the payment provider sends it. */
export function signPayload(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export function webhookRoutes(deps: ApiDeps): Router {
  const router = new Router({ prefix: '/webhooks' });

  router.post('/payments', async (ctx) => {
    const secret = deps.config.paymentWebhookSecret;
    const raw = (ctx.request as unknown as { rawBody?: string }).rawBody;
    const signature = ctx.get('x-signature');
    // The signature is checked on the exact bytes received, before the body is trusted.
    if (!secret || raw === undefined || !signature || !secretsEqual(signature, signPayload(secret, raw))) {
      throw new Unauthorized('The webhook signature is missing or wrong.');
    }
    const event = PaymentEvent.parse(ctx.request.body);
    const tier = event.event === 'subscription.cancelled' ? 'free' : event.tier;
    await setTier(deps, { email: event.email }, tier, 'payment_webhook');
    ctx.status = 204;
  });

  return router;
}
