import { loadCourseContent } from '../../app/src/domain/content-loader';
import { FIXTURE_CONTENT } from '../app/learning/support';
import { FakeStripe, stripeSignature, subscriptionEvent } from '../support/fake-stripe';
import { TEST_STRIPE_ENV, startApi, testConfig, type TestApi } from '../support/http';
import { CookieClient, signUpOnWeb, startWeb, type TestWeb } from './support';

let seq = 0;
const newEmail = () => `web-upgrade-${Date.now()}-${(seq += 1)}@example.com`;

async function signedUp(web: TestWeb, api: TestApi): Promise<{ browser: CookieClient; email: string }> {
  const browser = new CookieClient(web.url);
  const email = newEmail();
  const res = await signUpOnWeb(browser, api.mailbox, { email, password: 'correct horse battery staple' });
  expect(res.status).toBe(303);
  return { browser, email };
}

describe('buying a plan from the web pages (SQLite, Stripe answered locally)', () => {
  let stripe: FakeStripe;
  let api: TestApi;
  let web: TestWeb;
  beforeAll(async () => {
    stripe = await FakeStripe.start();
    api = await startApi('sqlite', { config: { stripe: { ...testConfig().stripe!, api: stripe.api } } });
    await loadCourseContent(api.db, FIXTURE_CONTENT, api.clock);
    web = await startWeb(api.url);
  });
  afterAll(async () => {
    await web?.close();
    await api?.close();
    await stripe?.close();
  });

  /** What Stripe sends once the learner has paid: the subscription, signed. */
  async function stripeConfirms(price: string): Promise<void> {
    const customer = stripe.callsTo('/v1/checkout/sessions').at(-1)!.form.customer;
    const created = Math.floor(api.clock.now().getTime() / 1000);
    const body = subscriptionEvent({ type: 'customer.subscription.created', customer, price, created });
    const res = await api.request('POST', '/api/v1/webhooks/payments', {
      body,
      headers: { 'stripe-signature': stripeSignature(body, created) },
    });
    expect(res.body.outcome).toBe('applied');
  }

  it('shows a signed-out visitor the plans and asks them to sign in to buy', async () => {
    const res = await new CookieClient(web.url).get('/upgrade');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Premium');
    expect(res.text).toContain('href="/signin?next=%2Fupgrade"');
    expect(res.text).not.toContain('action="/upgrade/checkout"');
  });

  it('sends a free learner from "Buy" straight to Stripe Checkout, without JavaScript', async () => {
    const { browser } = await signedUp(web, api);
    const page = await browser.get('/upgrade');
    expect(page.text.match(/action="\/upgrade\/checkout"/g)).toHaveLength(3);
    const res = await browser.post('/upgrade/checkout', { tier: 'pro' });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    expect(stripe.callsTo('/v1/checkout/sessions').at(-1)!.form['line_items[0][price]']).toBe(TEST_STRIPE_ENV.STRIPE_PRICE_PRO);
  });

  it('lets the browser follow that redirect: the page policy allows forms to end on Stripe', async () => {
    const res = await new CookieClient(web.url).get('/upgrade');
    expect(res.headers.get('content-security-policy')).toContain(
      "form-action 'self' https://checkout.stripe.com https://billing.stripe.com",
    );
  });

  it('refuses a purchase without the CSRF token', async () => {
    const { browser } = await signedUp(web, api);
    await browser.get('/upgrade');
    const before = stripe.calls.length;
    const res = await browser.post('/upgrade/checkout', { tier: 'pro' }, { csrf: null });
    expect(res.status).toBe(403);
    expect(stripe.calls.length).toBe(before);
  });

  it('answers an unknown plan with the plans page and a form error', async () => {
    const { browser } = await signedUp(web, api);
    await browser.get('/upgrade');
    const res = await browser.post('/upgrade/checkout', { tier: 'gold' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose one of the paid plans below.');
  });

  it('sends a visitor without a session to sign in first', async () => {
    const browser = new CookieClient(web.url);
    await browser.get('/upgrade');
    const res = await browser.post('/upgrade/checkout', { tier: 'pro' });
    expect([res.status, res.location]).toEqual([303, '/signin?next=%2Fupgrade']);
  });

  it('welcomes the learner back on the success page, then offers the portal on the account page', async () => {
    const { browser } = await signedUp(web, api);
    await browser.get('/upgrade');
    await browser.post('/upgrade/checkout', { tier: 'team' });
    await stripeConfirms(TEST_STRIPE_ENV.STRIPE_PRICE_TEAM);
    const back = await browser.get('/upgrade/success?session_id=cs_test_x');
    expect(back.text).toContain('Your team plan is active');
    const account = await browser.get('/account');
    expect(account.text).toContain('Manage subscription');
    const portal = await browser.post('/account/billing', {});
    expect(portal.status).toBe(303);
    expect(portal.location).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\//);
    expect((await browser.get('/chapters/4')).status).toBe(200);
  });

  it('says nothing was charged on the cancel page', async () => {
    const res = await new CookieClient(web.url).get('/upgrade/cancelled');
    expect(res.text).toContain('Nothing was charged');
  });

  it('links the locked-chapter page to the plans', async () => {
    const { browser } = await signedUp(web, api);
    const locked = await browser.get('/chapters/4');
    expect(locked.status).toBe(403);
    expect(locked.text).toContain('href="/upgrade"');
    expect((await browser.get('/account')).text).toContain('href="/upgrade"');
  });
});

describe('the plans page without Stripe keys', () => {
  let api: TestApi;
  let web: TestWeb;
  beforeAll(async () => {
    api = await startApi('sqlite', { config: { stripe: undefined } });
    web = await startWeb(api.url);
  });
  afterAll(async () => {
    await web?.close();
    await api?.close();
  });

  it('explains that checkout is not configured, and offers no "Buy" button', async () => {
    const { browser } = await signedUp(web, api);
    const page = await browser.get('/upgrade');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Online checkout is not configured on this server');
    expect(page.text).not.toContain('action="/upgrade/checkout"');
    const res = await browser.post('/upgrade/checkout', { tier: 'pro' });
    expect(res.status).toBe(503);
    expect(res.text).toContain('Online checkout is not configured on this server');
  });
});
