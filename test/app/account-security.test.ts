import { DATABASE_KINDS } from '../support/databases';
import { signUp, startApi, type TestApi } from '../support/http';
import { TestSmtpServer, resetTokenIn } from '../support/smtp';
import { smtpMailer } from '../../app/src/mailer';
import { hashPassword } from '../../app/src/domain/passwords';

/** Issue 15: sign-out that ends access tokens, password change and reset, re-authentication, absolute lifetime. */
describe.each(DATABASE_KINDS)('account security on %s', (kind) => {
  let api: TestApi;
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    api = await startApi(kind, {
      config: { sessionAbsoluteDays: 7, publicWebUrl: 'https://learn.example.com' },
      deps: { mailer: smtpMailer(smtp.url, 'Course Companion <no-reply@example.com>') },
    });
  });
  afterAll(async () => {
    api?.deps.mailer?.close();
    await api?.close();
    await smtp?.close();
  });

  const me = (token: string) => api.request('GET', '/api/v1/me', { token });
  const refresh = (token: string) => api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });
  const login = (email: string, password: string) => api.request('POST', '/api/v1/auth/login', { body: { email, password } });
  const events = async (userId: string) =>
    (await api.db.write('audit_events').where({ user_id: userId })).map((r: { event: string }) => r.event);

  describe('sign-out ends the access token too', () => {
    it('refuses the access token of a sign-in that was signed out', async () => {
      const s = await signUp(api);
      expect((await me(s.access_token)).status).toBe(200);
      expect((await api.request('POST', '/api/v1/auth/logout', { body: { refresh_token: s.refresh_token } })).status).toBe(204);
      const after = await me(s.access_token);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('unauthorized');
    });

    it('refuses the access tokens of a family revoked for refresh-token reuse at once', async () => {
      const s = await signUp(api);
      const rotated = (await refresh(s.refresh_token)).body;
      expect((await me(rotated.access_token)).status).toBe(200);
      expect((await refresh(s.refresh_token)).status).toBe(401);
      expect((await me(rotated.access_token)).status).toBe(401);
    });

    it('signs out every sign-in of the learner, and only theirs', async () => {
      const s = await signUp(api);
      const second = (await login(s.user.email, s.password)).body;
      const other = await signUp(api);
      expect((await api.request('POST', '/api/v1/me/sign-out-everywhere', { token: s.access_token })).status).toBe(204);
      for (const token of [s.access_token, second.access_token]) expect((await me(token)).status).toBe(401);
      for (const token of [s.refresh_token, second.refresh_token]) expect((await refresh(token)).status).toBe(401);
      expect((await me(other.access_token)).status).toBe(200);
      expect(await events(s.user.id)).toContain('signed_out_everywhere');
    });
  });

  describe('password change', () => {
    it('needs the current password, keeps this sign-in and ends the others', async () => {
      const s = await signUp(api);
      const elsewhere = (await login(s.user.email, s.password)).body;
      const wrong = await api.request('POST', '/api/v1/me/password', {
        token: s.access_token,
        body: { current_password: 'not it at all', new_password: 'a brand new password' },
      });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('wrong_password');

      const ok = await api.request('POST', '/api/v1/me/password', {
        token: s.access_token,
        body: { current_password: s.password, new_password: 'a brand new password' },
      });
      expect(ok.status).toBe(204);
      expect((await me(s.access_token)).status).toBe(200);
      expect((await refresh(s.refresh_token)).status).toBe(200);
      expect((await me(elsewhere.access_token)).status).toBe(401);
      expect((await refresh(elsewhere.refresh_token)).status).toBe(401);
      expect((await login(s.user.email, s.password)).status).toBe(401);
      expect((await login(s.user.email, 'a brand new password')).status).toBe(200);
      expect(await events(s.user.id)).toContain('password_changed');
    });

    it('refuses a new password that is too short, naming the field', async () => {
      const s = await signUp(api);
      const res = await api.request('POST', '/api/v1/me/password', {
        token: s.access_token,
        body: { current_password: s.password, new_password: 'short' },
      });
      expect(res.status).toBe(400);
      expect(res.body.details.issues.map((i: { path: string }) => i.path)).toContain('new_password');
    });
  });

  describe('password reset by e-mail', () => {
    // A learner's second mail: the first held their sign-up link.
    const resetMail = (email: string) => smtp.latestTo(email, 2);
    const ask = (email: string) => api.request('POST', '/api/v1/auth/password-reset', { body: { email } });
    const confirm = (token: string, password: string) =>
      api.request('POST', '/api/v1/auth/password-reset/confirm', { body: { token, new_password: password } });

    it('answers the same whether or not the address has an account', async () => {
      const s = await signUp(api);
      const known = await ask(s.user.email);
      const unknown = await ask('nobody-here@example.com');
      expect([known.status, unknown.status]).toEqual([202, 202]);
      expect(known.body).toEqual(unknown.body);
      await resetMail(s.user.email);
      expect(smtp.received.some((m) => m.to.includes('nobody-here@example.com'))).toBe(false);
    });

    it('mails a single-use link, stores only its hash, and ends every sign-in when used', async () => {
      const s = await signUp(api);
      await ask(s.user.email);
      const mail = await resetMail(s.user.email);
      expect(mail.raw).toContain('https://learn.example.com/reset-password?token=');
      const token = resetTokenIn(mail);
      const rows = await api.db.write('password_reset_tokens').where({ user_id: s.user.id });
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token);

      expect((await confirm(token, 'the reset password 1')).status).toBe(204);
      expect((await me(s.access_token)).status).toBe(401);
      expect((await refresh(s.refresh_token)).status).toBe(401);
      expect((await login(s.user.email, 'the reset password 1')).status).toBe(200);
      const again = await confirm(token, 'another password 22');
      expect(again.status).toBe(400);
      expect(again.body.code).toBe('invalid_reset_token');
      expect(await events(s.user.id)).toEqual(expect.arrayContaining(['password_reset_requested', 'password_reset']));
    });

    it('refuses a link older than 30 minutes, and a made-up one', async () => {
      const s = await signUp(api);
      await ask(s.user.email);
      const token = resetTokenIn(await resetMail(s.user.email));
      api.clock.advance(31 * 60_000);
      expect((await confirm(token, 'the reset password 1')).body.code).toBe('invalid_reset_token');
      expect((await confirm('A'.repeat(43), 'the reset password 1')).body.code).toBe('invalid_reset_token');
      expect((await login(s.user.email, s.password)).status).toBe(200);
    });
  });

  describe('account deletion asks for the password again', () => {
    it('refuses without the password or with a wrong one, and keeps the account', async () => {
      const s = await signUp(api);
      const none = await api.request('DELETE', '/api/v1/me', { token: s.access_token });
      expect(none.status).toBe(400);
      const wrong = await api.request('DELETE', '/api/v1/me', { token: s.access_token, body: { password: 'not the password' } });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('wrong_password');
      expect((await me(s.access_token)).status).toBe(200);
    });
  });

  describe('absolute session lifetime', () => {
    it('ends a sign-in SESSION_ABSOLUTE_DAYS after the password, however often it is refreshed', async () => {
      const s = await signUp(api);
      let token = s.refresh_token;
      for (let day = 0; day < 6; day += 1) {
        api.clock.advance(86_400_000);
        const res = await refresh(token);
        expect(res.status).toBe(200);
        token = res.body.refresh_token;
      }
      api.clock.advance(86_400_000 + 60_000);
      const late = await refresh(token);
      expect(late.status).toBe(401);
      // A new sign-in starts a new lifetime.
      expect((await login(s.user.email, s.password)).status).toBe(200);
    });
  });

  describe('password hashes', () => {
    it('upgrades a hash made with older parameters at the next sign-in', async () => {
      const s = await signUp(api);
      const old = await hashPassword(s.password, { N: 2 ** 10, r: 8, p: 1 });
      await api.db.write('users').where({ id: s.user.id }).update({ password_hash: old });
      expect((await login(s.user.email, s.password)).status).toBe(200);
      const [row] = await api.db.write('users').where({ id: s.user.id });
      expect(row.password_hash).toMatch(/^scrypt\$4096\$8\$1\$/);
      expect((await login(s.user.email, s.password)).status).toBe(200);
    });
  });

  describe('caching', () => {
    it('marks answers with personal data Cache-Control: no-store', async () => {
      const s = await signUp(api);
      const res = await me(s.access_token);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const export_ = await api.request('GET', '/api/v1/me/export', { token: s.access_token });
      expect(export_.headers.get('cache-control')).toBe('no-store');
    });
  });
});
