import { randomUUID } from 'node:crypto';
import { DATABASE_KINDS } from '../support/databases';
import { startApi, type TestApi } from '../support/http';
import { signupTokenIn } from '../support/mailbox';
import { mailText, TestSmtpServer } from '../support/smtp';
import { smtpMailer } from '../../app/src/mailer';
import { hashPassword } from '../../app/src/domain/passwords';

const PASSWORD = 'correct horse battery staple';
let seq = 0;
const newEmail = () => `signup-${Date.now()}-${(seq += 1)}@example.com`;

/** Issue 15: sign-up verifies the mailbox first, so register never tells who has an account. */
describe.each(DATABASE_KINDS)('sign-up by e-mail on %s', (kind) => {
  let api: TestApi;
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    api = await startApi(kind, {
      config: { publicWebUrl: 'https://learn.example.com' },
      deps: { mailer: smtpMailer(smtp.url, 'Course Companion <no-reply@example.com>') },
    });
  });
  afterAll(async () => {
    api?.deps.mailer?.close();
    await api?.close();
    await smtp?.close();
  });

  const register = (body: Record<string, unknown>) => api.request('POST', '/api/v1/auth/register', { body });
  const confirm = (token: string) => api.request('POST', '/api/v1/auth/register/confirm', { body: { token } });
  const rows = (table: string, email: string) => api.db.write(table).where({ email });
  /** The text of the latest mail the SMTP server received for `email`, once it has `count`. */
  const mailTo = async (email: string, count = 1) => mailText(await smtp.latestTo(email, count));
  /** An account made straight in the database, so this does not lean on the flow under test. */
  async function knownAccount(): Promise<string> {
    const email = newEmail();
    const now = api.clock.now().toISOString();
    const password_hash = await hashPassword(PASSWORD, { N: 2 ** 10, r: 8, p: 1 });
    await api.db
      .write('users')
      .insert({ id: randomUUID(), email, password_hash, name: null, tier: 'free', timezone: 'UTC', created_at: now, updated_at: now });
    return email;
  }

  it('answers a known and a new address with the same status and the same bytes', async () => {
    const known = await register({ email: await knownAccount(), password: 'another long password' });
    const fresh = await register({ email: newEmail(), password: 'another long password' });
    expect(known.status).toBe(202);
    expect(fresh.status).toBe(known.status);
    expect(fresh.text).toBe(known.text);
    expect(known.body).toEqual({ status: 'accepted', message: expect.any(String) });
    for (const header of ['content-type', 'content-length', 'cache-control'])
      expect(fresh.headers.get(header)).toBe(known.headers.get(header));
  });

  it('mails a new address a link that finishes sign-up once: 201, a working session, the account as asked', async () => {
    const email = newEmail();
    expect((await register({ email: email.toUpperCase(), password: PASSWORD, name: 'Ada', timezone: 'Asia/Calcutta' })).status).toBe(202);
    expect(await rows('users', email)).toHaveLength(0);
    const text = await mailTo(email);
    expect(text).toContain('Subject: Finish signing up');
    expect(text).toContain('https://learn.example.com/signup/finish?token=');
    const token = signupTokenIn(text);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [pending] = await rows('signup_requests', email);
    expect(pending.password_hash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(pending)).not.toContain(token);
    expect(JSON.stringify(pending)).not.toContain(PASSWORD);

    const done = await confirm(token);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ token_type: 'bearer', user: { email, name: 'Ada', tier: 'free', timezone: 'Asia/Kolkata' } });
    const me = await api.request('GET', '/api/v1/me', { token: done.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(done.body.user);
    const events = await api.db.write('audit_events').where({ user_id: done.body.user.id });
    expect(events.map((e: { event: string }) => e.event)).toContain('account_registered');
    expect((await api.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).status).toBe(200);
    expect(await rows('signup_requests', email)).toHaveLength(0);

    const again = await confirm(token);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_signup_token');
  });

  it('mails a known address a note that it has an account, and keeps nothing', async () => {
    const email = await knownAccount();
    const [before] = await rows('users', email);
    expect((await register({ email, password: 'a different password 1', name: 'Mallory' })).status).toBe(202);
    const text = await mailTo(email);
    expect(text).toContain('Subject: You already have a Course Companion account');
    expect(text).toContain('https://learn.example.com/signin');
    expect(text).toContain('https://learn.example.com/forgot-password');
    expect(text).not.toContain('token=');
    expect(await rows('signup_requests', email)).toHaveLength(0);
    expect(await rows('users', email)).toEqual([before]);
  });

  it('refuses a link after 24 hours, and a made-up one', async () => {
    const email = newEmail();
    await register({ email, password: PASSWORD });
    const token = signupTokenIn(await mailTo(email));
    api.clock.advance(24 * 3_600_000 + 1000);
    const late = await confirm(token);
    expect(late.status).toBe(400);
    expect(late.body.code).toBe('invalid_signup_token');
    expect(await rows('users', email)).toHaveLength(0);
    expect((await confirm('A'.repeat(43))).body.code).toBe('invalid_signup_token');
    expect((await confirm('short')).body.code).toBe('bad_request');
  });

  it('spends every link of the address when one is followed, and purges expired requests', async () => {
    const stale = newEmail();
    await register({ email: stale, password: PASSWORD });
    await mailTo(stale);
    api.clock.advance(25 * 3_600_000);
    const email = newEmail();
    await register({ email, password: PASSWORD });
    const first = signupTokenIn(await mailTo(email));
    await register({ email, password: 'the second password' });
    const second = signupTokenIn(await mailTo(email, 2));
    expect(await rows('signup_requests', stale)).toHaveLength(0);
    expect(await rows('signup_requests', email)).toHaveLength(2);
    expect((await confirm(second)).status).toBe(201);
    expect((await confirm(first)).body.code).toBe('invalid_signup_token');
    expect((await api.request('POST', '/api/v1/auth/login', { body: { email, password: 'the second password' } })).status).toBe(200);
  });

  it('answers 409 when the address got its account meanwhile (the caller proved the mailbox is theirs)', async () => {
    const email = newEmail();
    await register({ email, password: PASSWORD });
    const token = signupTokenIn(await mailTo(email));
    const now = api.clock.now().toISOString();
    await api.db
      .write('users')
      .insert({ id: randomUUID(), email, password_hash: 'x', name: null, tier: 'free', timezone: 'UTC', created_at: now, updated_at: now });
    const res = await confirm(token);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
  });

  it('answers a failed write with a 5xx for a new and a known address alike, never a 202', async () => {
    const known = await knownAccount();
    await api.db.write.schema.renameTable('signup_requests', 'signup_requests_gone');
    try {
      for (const email of [newEmail(), known]) expect((await register({ email, password: PASSWORD })).status).toBe(500);
    } finally {
      await api.db.write.schema.renameTable('signup_requests_gone', 'signup_requests');
    }
  });
});
