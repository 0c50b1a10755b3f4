import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { StripeSettings } from '../../app/src/stripe-config';
import { TEST_WEBHOOK_SECRET } from './http';

/** A request the SDK made: method, path, form fields (flattened `a[b][0]` keys), headers. */
export interface StripeCall {
  method: string;
  path: string;
  form: Record<string, string>;
  headers: IncomingMessage['headers'];
}

/**
 * A local HTTP server answering the three calls the app makes as Stripe's API reference
 * documents them (docs.stripe.com/api/customers/create, /api/checkout/sessions/create,
 * /api/customer_portal/sessions/create): form-encoded POSTs under /v1, JSON objects back,
 * Bearer authentication with the secret key. Idempotency keys are honoured like Stripe's.
 */
export class FakeStripe {
  readonly calls: StripeCall[] = [];
  /** While true, every call answers 500 `api_error`, as Stripe does in an incident. */
  outage = false;
  private readonly idempotent = new Map<string, unknown>();
  private counter = 0;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeStripe> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const fake = new FakeStripe(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const [status, answer] = fake.answer(req, body);
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${fake.counter}` });
        res.end(JSON.stringify(answer));
      });
    });
    return fake;
  }

  /** Where the SDK should send its requests. */
  get api(): NonNullable<StripeSettings['api']> {
    return { host: '127.0.0.1', port: this.port, protocol: 'http' };
  }

  callsTo(path: string): StripeCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, body: string): [number, unknown] {
    const call = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0],
      form: Object.fromEntries(new URLSearchParams(body)),
      headers: req.headers,
    };
    this.calls.push(call);
    if (!/^Bearer sk_test_/.test(req.headers.authorization ?? '')) {
      return [401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } }];
    }
    if (this.outage) return [500, { error: { type: 'api_error', message: 'An unknown error occurred' } }];
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string' && this.idempotent.has(key)) return [200, this.idempotent.get(key)];
    const made = this.make(call);
    if (!made)
      return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${call.method}: ${call.path})` } }];
    if (typeof key === 'string') this.idempotent.set(key, made);
    return [200, made];
  }

  private make({ method, path, form }: StripeCall): Record<string, unknown> | undefined {
    if (method !== 'POST') return undefined;
    this.counter += 1;
    const n = this.counter;
    if (path === '/v1/customers') {
      return {
        id: `cus_fake${n}`,
        object: 'customer',
        email: form.email,
        metadata: { user_id: form['metadata[user_id]'] },
        livemode: false,
      };
    }
    if (path === '/v1/checkout/sessions') {
      const id = `cs_test_fake${n}`;
      return {
        id,
        object: 'checkout.session',
        mode: form.mode,
        customer: form.customer,
        client_reference_id: form.client_reference_id,
        status: 'open',
        success_url: form.success_url,
        cancel_url: form.cancel_url,
        url: `https://checkout.stripe.com/c/pay/${id}`,
      };
    }
    if (path === '/v1/billing_portal/sessions') {
      return {
        id: `bps_fake${n}`,
        object: 'billing_portal.session',
        customer: form.customer,
        return_url: form.return_url,
        url: `https://billing.stripe.com/p/session/test_fake${n}`,
      };
    }
    return undefined;
  }
}

/** A `customer.subscription.*` event as Stripe sends it (docs.stripe.com/api/events/object), as JSON. */
export function subscriptionEvent(fields: {
  type?: 'customer.subscription.created' | 'customer.subscription.updated' | 'customer.subscription.deleted';
  customer: string;
  price: string;
  status?: Stripe.Subscription.Status;
  created: number;
  id?: string;
}): string {
  return JSON.stringify({
    id: fields.id ?? `evt_${Math.random().toString(36).slice(2)}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: fields.created,
    type: fields.type ?? 'customer.subscription.updated',
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: `sub_${fields.customer}`,
        object: 'subscription',
        customer: fields.customer,
        status: fields.status ?? 'active',
        items: {
          object: 'list',
          data: [{ id: `si_${fields.customer}`, object: 'subscription_item', price: { id: fields.price, object: 'price' } }],
        },
      },
    },
  });
}

/** The `Stripe-Signature` header Stripe would send, made by the SDK's own test helper. */
export function stripeSignature(payload: string, timestamp: number, secret = TEST_WEBHOOK_SECRET): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}
