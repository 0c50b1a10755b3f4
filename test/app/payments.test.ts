import { DATABASE_KINDS } from '../support/databases';
import { FakeStripe, stripeSignature, subscriptionEvent } from '../support/fake-stripe';
import { TEST_STRIPE_ENV, signUp, startApi, testConfig, type TestApi } from '../support/http';

const PRICES = {
  premium: TEST_STRIPE_ENV.STRIPE_PRICE_PREMIUM,
  pro: TEST_STRIPE_ENV.STRIPE_PRICE_PRO,
  team: TEST_STRIPE_ENV.STRIPE_PRICE_TEAM,
};

describe.each(DATABASE_KINDS)('upgrading through Stripe on %s', (kind) => {
  let api: TestApi;
  let stripe: FakeStripe;
  beforeAll(async () => {
    stripe = await FakeStripe.start();
    const settings = testConfig().stripe!;
    api = await startApi(kind, { config: { stripe: { ...settings, api: stripe.api } } });
  });
  afterAll(async () => {
    await api?.close();
    await stripe?.close();
  });

  const me = async (token: string) => (await api.request('GET', '/api/v1/me', { token })).body as { tier: string };
  const checkout = (token: string, tier: unknown) => api.request('POST', '/api/v1/billing/checkout', { token, body: { tier } });
  const webhook = (body: string, signature?: string) =>
    api.request('POST', '/api/v1/webhooks/payments', { body, headers: signature ? { 'stripe-signature': signature } : {} });
  const now = () => Math.floor(api.clock.now().getTime() / 1000);
  const signed = (body: string, at = now()) => webhook(body, stripeSignature(body, at));
  /** A learner who has been through checkout once, so Stripe knows them as a customer. */
  const customer = async () => {
    const learner = await signUp(api);
    expect((await checkout(learner.access_token, 'premium')).status).toBe(200);
    const customerId = stripe.callsTo('/v1/checkout/sessions').at(-1)!.form.customer;
    return { learner, customerId };
  };

  describe('checkout and portal', () => {
    it('sends a free learner to a Checkout session for the chosen plan, with our return pages', async () => {
      const learner = await signUp(api);
      const res = await checkout(learner.access_token, 'pro');
      expect(res.status).toBe(200);
      expect(res.body.url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
      const created = stripe.callsTo('/v1/customers').at(-1)!;
      expect(created.form).toMatchObject({ email: learner.user.email, 'metadata[user_id]': learner.user.id });
      expect(created.headers.authorization).toBe(`Bearer ${TEST_STRIPE_ENV.STRIPE_SECRET_KEY}`);
      expect(stripe.callsTo('/v1/checkout/sessions').at(-1)!.form).toMatchObject({
        mode: 'subscription',
        customer: expect.stringMatching(/^cus_/),
        client_reference_id: learner.user.id,
        'line_items[0][price]': PRICES.pro,
        'line_items[0][quantity]': '1',
        success_url: 'http://web.test/upgrade/success?session_id={CHECKOUT_SESSION_ID}',
        cancel_url: 'http://web.test/upgrade/cancelled',
      });
    });

    it('makes one Stripe customer per learner, however often they start checkout', async () => {
      const learner = await signUp(api);
      const before = stripe.callsTo('/v1/customers').length;
      await Promise.all([checkout(learner.access_token, 'pro'), checkout(learner.access_token, 'team')]);
      await checkout(learner.access_token, 'premium');
      const sessions = stripe.callsTo('/v1/checkout/sessions').slice(-3);
      expect(new Set(sessions.map((c) => c.form.customer)).size).toBe(1);
      expect(stripe.callsTo('/v1/customers').length - before).toBeLessThanOrEqual(2);
      expect(await api.db.write('billing_customers').where({ user_id: learner.user.id })).toHaveLength(1);
    });

    it.each([['free'], ['gold'], [undefined]])('refuses to sell the plan %s with a 400', async (tier) => {
      const learner = await signUp(api);
      const res = await checkout(learner.access_token, tier);
      expect([res.status, res.body.code]).toEqual([400, 'bad_request']);
    });

    it('asks for a sign-in before checkout', async () => {
      const res = await api.request('POST', '/api/v1/billing/checkout', { body: { tier: 'pro' } });
      expect(res.status).toBe(401);
    });

    it('sends a paying learner to the portal instead of a second subscription', async () => {
      const { learner, customerId } = await customer();
      await signed(subscriptionEvent({ customer: customerId, price: PRICES.premium, created: now() }));
      const res = await checkout(learner.access_token, 'team');
      expect([res.status, res.body.code]).toEqual([409, 'conflict']);
    });

    it('opens the customer portal on the learner’s own customer, returning to the account page', async () => {
      const { learner, customerId } = await customer();
      const res = await api.request('POST', '/api/v1/billing/portal', { token: learner.access_token });
      expect(res.status).toBe(200);
      expect(res.body.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
      expect(stripe.callsTo('/v1/billing_portal/sessions').at(-1)!.form).toEqual({
        customer: customerId,
        return_url: 'http://web.test/account',
      });
    });

    it('has no portal for a learner who never checked out', async () => {
      const learner = await signUp(api);
      const res = await api.request('POST', '/api/v1/billing/portal', { token: learner.access_token });
      expect([res.status, res.body.code]).toEqual([404, 'not_found']);
    });

    it('exports the learner’s Stripe customer with their data, and forgets it with the account', async () => {
      const { learner, customerId } = await customer();
      const exported = await api.request('GET', '/api/v1/me/export', { token: learner.access_token });
      expect(exported.body.billing_customers).toEqual([expect.objectContaining({ customer_id: customerId })]);
      expect(
        (await api.request('DELETE', '/api/v1/me', { token: learner.access_token, body: { password: learner.password } })).status,
      ).toBe(204);
      expect(await api.db.write('billing_customers').where({ customer_id: customerId })).toHaveLength(0);
    });

    it('answers 503 while Stripe is down, and checkout works again once it is back', async () => {
      const learner = await signUp(api);
      stripe.outage = true;
      try {
        const res = await checkout(learner.access_token, 'pro');
        expect([res.status, res.body.code]).toEqual([503, 'unavailable']);
      } finally {
        stripe.outage = false;
      }
      expect((await checkout(learner.access_token, 'pro')).status).toBe(200);
    });

    it('says checkout is enabled', async () => {
      expect((await api.request('GET', '/api/v1/billing')).body).toEqual({ checkout_enabled: true });
    });
  });

  describe('the webhook', () => {
    it('applies a subscription Stripe signed, and its deletion returns the learner to free', async () => {
      const { learner, customerId } = await customer();
      const up = await signed(
        subscriptionEvent({ type: 'customer.subscription.created', customer: customerId, price: PRICES.team, created: now() }),
      );
      expect([up.status, up.body.outcome]).toEqual([200, 'applied']);
      expect((await me(learner.access_token)).tier).toBe('team');
      api.clock.advance(1_000);
      await signed(
        subscriptionEvent({
          type: 'customer.subscription.deleted',
          customer: customerId,
          price: PRICES.team,
          status: 'canceled',
          created: now(),
        }),
      );
      expect((await me(learner.access_token)).tier).toBe('free');
    });

    it('follows a plan change made in the portal, and ends access when Stripe gives up on a payment', async () => {
      const { learner, customerId } = await customer();
      await signed(subscriptionEvent({ customer: customerId, price: PRICES.premium, created: now() }));
      api.clock.advance(1_000);
      await signed(subscriptionEvent({ customer: customerId, price: PRICES.pro, created: now() }));
      expect((await me(learner.access_token)).tier).toBe('pro');
      api.clock.advance(1_000);
      await signed(subscriptionEvent({ customer: customerId, price: PRICES.pro, status: 'unpaid', created: now() }));
      expect((await me(learner.access_token)).tier).toBe('free');
    });

    it('ignores a replayed delivery: an upgrade captured before a cancellation cannot restore the paid tier', async () => {
      const { learner, customerId } = await customer();
      const up = subscriptionEvent({ customer: customerId, price: PRICES.pro, created: now() });
      const upSignature = stripeSignature(up, now());
      expect((await webhook(up, upSignature)).body.outcome).toBe('applied');
      api.clock.advance(1_000);
      await signed(
        subscriptionEvent({
          type: 'customer.subscription.deleted',
          customer: customerId,
          price: PRICES.pro,
          status: 'canceled',
          created: now(),
        }),
      );
      api.clock.advance(1_000);
      // The very same bytes and signature, sent again within the tolerance.
      const replay = await webhook(up, upSignature);
      expect([replay.status, replay.body.outcome]).toEqual([200, 'duplicate']);
      expect((await me(learner.access_token)).tier).toBe('free');
    });

    it('applies an event once when several deliveries of it race in', async () => {
      const { learner, customerId } = await customer();
      const up = subscriptionEvent({ customer: customerId, price: PRICES.premium, created: now() });
      const signature = stripeSignature(up, now());
      const answers = await Promise.all(Array.from({ length: 10 }, () => webhook(up, signature)));
      expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(answers.map((r) => r.body.outcome).sort()).toEqual(['applied', ...Array(9).fill('duplicate')]);
      expect((await me(learner.access_token)).tier).toBe('premium');
    });

    it('never downgrades on a stale event: the newest word on a subscription wins', async () => {
      const { learner, customerId } = await customer();
      const createdAt = now();
      await signed(
        subscriptionEvent({
          type: 'customer.subscription.deleted',
          customer: customerId,
          price: PRICES.premium,
          status: 'canceled',
          created: createdAt,
        }),
      );
      const older = await signed(subscriptionEvent({ customer: customerId, price: PRICES.premium, created: createdAt - 60 }));
      expect([older.status, older.body.outcome]).toEqual([200, 'superseded']);
      expect((await me(learner.access_token)).tier).toBe('free');
      await signed(subscriptionEvent({ customer: customerId, price: PRICES.team, created: createdAt + 60 }));
      const staleCancel = await signed(
        subscriptionEvent({ customer: customerId, price: PRICES.team, status: 'canceled', created: createdAt + 30 }),
      );
      expect(staleCancel.body.outcome).toBe('superseded');
      expect((await me(learner.access_token)).tier).toBe('team');
    });

    it('answers 404 for a customer not linked yet, so Stripe’s retry applies the event later', async () => {
      const learner = await signUp(api);
      const body = subscriptionEvent({ customer: 'cus_linked_later', price: PRICES.pro, created: now() });
      const early = await signed(body);
      expect([early.status, early.body.code]).toEqual([404, 'not_found']);
      await api.db
        .write('billing_customers')
        .insert({ user_id: learner.user.id, customer_id: 'cus_linked_later', created_at: new Date().toISOString() });
      expect((await signed(body)).body.outcome).toBe('applied');
      expect((await me(learner.access_token)).tier).toBe('pro');
    });

    it('keeps the upgrade when the incomplete subscription’s creation arrives after its activation', async () => {
      const { learner, customerId } = await customer();
      const second = now();
      await signed(subscriptionEvent({ customer: customerId, price: PRICES.pro, created: second }));
      const creation = await signed(
        subscriptionEvent({
          type: 'customer.subscription.created',
          customer: customerId,
          price: PRICES.pro,
          status: 'incomplete',
          created: second,
        }),
      );
      expect(creation.body.outcome).toBe('ignored');
      expect((await me(learner.access_token)).tier).toBe('pro');
    });

    it('acknowledges events that change no tier without applying anything', async () => {
      const { learner, customerId } = await customer();
      const invoice = JSON.stringify({
        id: 'evt_invoice',
        object: 'event',
        type: 'invoice.paid',
        created: now(),
        data: { object: { object: 'invoice', customer: customerId } },
      });
      expect((await signed(invoice)).body).toEqual({ id: 'evt_invoice', outcome: 'ignored' });
      const foreignPrice = await signed(subscriptionEvent({ customer: customerId, price: 'price_of_another_product', created: now() }));
      expect(foreignPrice.body.outcome).toBe('ignored');
      const firstPaymentUnderWay = await signed(
        subscriptionEvent({
          type: 'customer.subscription.created',
          customer: customerId,
          price: PRICES.pro,
          status: 'incomplete',
          created: now(),
        }),
      );
      expect(firstPaymentUnderWay.body.outcome).toBe('ignored');
      expect((await me(learner.access_token)).tier).toBe('free');
    });

    it.each([
      ['no signature', () => undefined],
      ['a signature made with another secret', (body: string) => stripeSignature(body, now(), 'whsec_another_secret')],
      ['a signature of another body', () => stripeSignature('{}', now())],
      ['a malformed signature', () => 'sha256=zz'],
      ['the old home-made format', () => `t=${now()},v1=${'0'.repeat(64)}`],
      ['a signature made six minutes ago', (body: string) => stripeSignature(body, now() - 360)],
      ['a signature dated six minutes ahead', (body: string) => stripeSignature(body, now() + 360)],
      ['a timestamp changed after signing', (body: string) => stripeSignature(body, now() - 360).replace(/^t=\d+/, `t=${now()}`)],
    ])('refuses a webhook with %s', async (_name, sign) => {
      const { learner, customerId } = await customer();
      const body = subscriptionEvent({ customer: customerId, price: PRICES.pro, created: now() });
      const res = await webhook(body, sign(body));
      expect([res.status, res.body.code]).toEqual([401, 'unauthorized']);
      expect((await me(learner.access_token)).tier).toBe('free');
    });
  });
});

describe('without Stripe keys', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite', { config: { stripe: undefined } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('says checkout is not configured, on every billing path, with a 503', async () => {
    const learner = await signUp(api);
    expect((await api.request('GET', '/api/v1/billing')).body).toEqual({ checkout_enabled: false });
    for (const path of ['/api/v1/billing/checkout', '/api/v1/billing/portal', '/api/v1/webhooks/payments']) {
      const res = await api.request('POST', path, { token: learner.access_token, body: { tier: 'pro' } });
      expect([path, res.status, res.body.code]).toEqual([path, 503, 'checkout_not_configured']);
    }
  });
});
