import type Stripe from 'stripe';
import { FixedClock } from '../../app/src/clock';
import { tierChangeOf, verifyEvent } from '../../app/src/domain/payments';
import { AppError } from '../../app/src/errors';
import { stripeSignature, subscriptionEvent } from '../support/fake-stripe';
import { TEST_WEBHOOK_SECRET } from '../support/http';

const PRICES = { premium: 'price_p', pro: 'price_pro', team: 'price_t' };
const event = (fields: Parameters<typeof subscriptionEvent>[0]) => JSON.parse(subscriptionEvent(fields)) as Stripe.Event;

describe('what a Stripe event means for a tier', () => {
  it.each([
    ['an active subscription', { price: 'price_pro' }, 'pro'],
    ['a trial', { price: 'price_t', status: 'trialing' }, 'team'],
    ['a payment Stripe is still retrying', { price: 'price_p', status: 'past_due' }, 'premium'],
    ['an unpaid subscription', { price: 'price_p', status: 'unpaid' }, 'free'],
    ['a cancelled subscription', { price: 'price_p', status: 'canceled' }, 'free'],
    ['a first payment that never completed', { price: 'price_p', status: 'incomplete_expired' }, 'free'],
  ] as const)('%s gives %s', (_name, fields, tier) => {
    expect(tierChangeOf(event({ customer: 'cus_1', created: 100, ...fields }), PRICES)).toEqual({
      eventId: expect.any(String),
      eventType: 'customer.subscription.updated',
      customerId: 'cus_1',
      createdAt: 100,
      tier,
    });
  });

  it('ends access on deletion, whatever the status says', () => {
    expect(
      tierChangeOf(event({ type: 'customer.subscription.deleted', customer: 'cus_1', price: 'price_t', created: 1 }), PRICES)?.tier,
    ).toBe('free');
  });

  it.each([
    ['an incomplete subscription', event({ customer: 'cus_1', price: 'price_p', status: 'incomplete', created: 1 })],
    ['a price of another product', event({ customer: 'cus_1', price: 'price_other', created: 1 })],
    ['another event type', { ...event({ customer: 'cus_1', price: 'price_p', created: 1 }), type: 'invoice.paid' } as Stripe.Event],
  ])('changes nothing for %s', (_name, e) => {
    expect(tierChangeOf(e, PRICES)).toBeUndefined();
  });
});

describe('the signature check', () => {
  const clock = new FixedClock(new Date('2026-12-01T12:00:00Z'));
  const now = clock.now().getTime() / 1000;
  const body = subscriptionEvent({ customer: 'cus_1', price: 'price_p', created: now });
  const status = (f: () => unknown) => {
    try {
      f();
      return 'verified';
    } catch (err) {
      return err instanceof AppError ? err.status : err;
    }
  };

  it('accepts what Stripe signed within five minutes either way, on our clock', () => {
    for (const at of [now - 299, now, now + 299])
      expect(status(() => verifyEvent(TEST_WEBHOOK_SECRET, stripeSignature(body, at), body, clock))).toBe('verified');
  });

  it.each([
    ['no header', ''],
    ['a signature of five minutes and a bit ago', stripeSignature(body, now - 301)],
    ['a signature of five minutes and a bit ahead', stripeSignature(body, now + 301)],
    ['another secret', stripeSignature(body, now, 'whsec_other')],
  ])('refuses %s with a 401', (_name, header) => {
    expect(status(() => verifyEvent(TEST_WEBHOOK_SECRET, header, body, clock))).toBe(401);
  });
});
