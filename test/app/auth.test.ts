import { SignJWT } from 'jose';
import { DATABASE_KINDS } from '../support/databases';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY, signUp, startApi, type TestApi } from '../support/http';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(DATABASE_KINDS)('accounts on %s', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => {
    await api?.close();
  });

  const me = (token: string) => api.request('GET', '/api/v1/me', { token });
  const auditEvents = async (userId: string) =>
    (await api.db.write('audit_events').where({ user_id: userId })).map((r: { event: string }) => r.event);

  describe('register and sign in', () => {
    it('registers a learner on the free tier and signs them in', async () => {
      const session = await signUp(api, { name: 'Ada', timezone: 'Europe/Paris' });
      expect(session).toMatchObject({ token_type: 'bearer', expires_in: 30 * 60 });
      expect(session.user).toMatchObject({ name: 'Ada', tier: 'free', timezone: 'Europe/Paris' });
      const res = await me(session.access_token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(session.user);
    });

    it('stores a salted scrypt hash, never the password', async () => {
      const a = await signUp(api, { password: 'same password 123' });
      const b = await signUp(api, { password: 'same password 123' });
      const rows = await api.db.write('users').whereIn('id', [a.user.id, b.user.id]);
      for (const row of rows) {
        expect(row.password_hash).toMatch(/^scrypt\$/);
        expect(row.password_hash).not.toContain('same password');
      }
      expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
    });

    it('logs in with the right password and refuses a wrong one or an unknown address alike', async () => {
      const s = await signUp(api);
      const ok = await api.request('POST', '/api/v1/auth/login', { body: { email: s.user.email, password: s.password } });
      expect(ok.status).toBe(200);
      expect(await auditEvents(s.user.id)).toContain('signed_in');
      const wrong = await api.request('POST', '/api/v1/auth/login', { body: { email: s.user.email, password: 'not the password' } });
      const unknown = await api.request('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.com', password: 'whatever1234' } });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.code).toBe('unauthorized');
    });

    it('answers a second sign-up with the same address (any case) as a first one, and changes nothing', async () => {
      const s = await signUp(api);
      const res = await api.request('POST', '/api/v1/auth/register', {
        body: { email: s.user.email.toUpperCase(), password: 'long enough password' },
      });
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('accepted');
      expect((await api.mailbox.latestTo(s.user.email, 2)).subject).toBe('You already have a Course Companion account');
      expect(await api.db.write('users').where({ email: s.user.email })).toHaveLength(1);
      expect(await api.db.write('signup_requests').where({ email: s.user.email })).toHaveLength(0);
    });

    it.each([
      [{ email: 'not-an-address', password: 'long enough password' }, 'email'],
      [{ email: 'a@example.com', password: 'short' }, 'password'],
      [{ email: 'a@example.com', password: 'long enough password', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ email: 'a@example.com', password: 'long enough password', tier: 'team' }, ''],
    ])('refuses a bad registration %j naming the field', async (body, field) => {
      const res = await api.request('POST', '/api/v1/auth/register', { body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('bad_request');
      expect(res.body.details.issues.map((i: { path: string }) => i.path)).toContain(field);
    });
  });

  describe('refresh tokens', () => {
    it('rotates the refresh token on every use', async () => {
      const s = await signUp(api);
      const r1 = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh_token } });
      expect(r1.status).toBe(200);
      expect(r1.body.refresh_token).not.toBe(s.refresh_token);
      const r2 = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: r1.body.refresh_token } });
      expect(r2.status).toBe(200);
      expect((await me(r2.body.access_token)).status).toBe(200);
    });

    it('revokes the whole family when an already used token comes back, and records it', async () => {
      const s = await signUp(api);
      const stolen = s.refresh_token;
      const learner = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: stolen } });
      expect(learner.status).toBe(200);
      const thief = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: stolen } });
      expect(thief.status).toBe(401);
      // The learner's newer token is gone too: both must sign in again.
      const after = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: learner.body.refresh_token } });
      expect(after.status).toBe(401);
      expect(await auditEvents(s.user.id)).toContain('refresh_token_reuse');
    });

    it('leaves other sign-ins of the same learner alone when one family is revoked', async () => {
      const s = await signUp(api);
      const other = await api.request('POST', '/api/v1/auth/login', { body: { email: s.user.email, password: s.password } });
      await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh_token } });
      await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh_token } });
      const res = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: other.body.refresh_token } });
      expect(res.status).toBe(200);
    });

    it('refuses an expired refresh token', async () => {
      const s = await signUp(api);
      api.clock.advance(31 * 86_400_000);
      try {
        const res = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh_token } });
        expect(res.status).toBe(401);
      } finally {
        api.clock.advance(-31 * 86_400_000);
      }
    });

    it('logout revokes the refresh token', async () => {
      const s = await signUp(api);
      const out = await api.request('POST', '/api/v1/auth/logout', { body: { refresh_token: s.refresh_token } });
      expect(out.status).toBe(204);
      const res = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh_token } });
      expect(res.status).toBe(401);
    });

    it('refuses a made-up refresh token', async () => {
      const res = await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'made-up' } });
      expect(res.status).toBe(401);
    });
  });

  describe('access token attacks', () => {
    let userId: string;
    beforeAll(async () => {
      userId = (await signUp(api)).user.id;
    });
    const claims = () => {
      const now = Math.floor(api.clock.now().getTime() / 1000);
      return { sub: userId, iss: 'course-companion', aud: 'course-companion-api', iat: now, exp: now + 600 };
    };

    it('accepts a well-formed HS256 token signed with SECRET_KEY (control)', async () => {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(TEST_SECRET_KEY));
      expect((await me(token)).status).toBe(200);
    });

    it.each([
      ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
      [
        'HS512 with the right key',
        async () => new SignJWT(claims()).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(TEST_SECRET_KEY)),
      ],
      [
        'HS256 with a wrong key',
        async () =>
          new SignJWT(claims())
            .setProtectedHeader({ alg: 'HS256' })
            .sign(new TextEncoder().encode('another-key-that-is-also-long-enough!!')),
      ],
      [
        'an expired token',
        async () => {
          const c = claims();
          return new SignJWT({ ...c, iat: c.iat - 3600, exp: c.iat - 60 })
            .setProtectedHeader({ alg: 'HS256' })
            .sign(new TextEncoder().encode(TEST_SECRET_KEY));
        },
      ],
      [
        'a tampered payload',
        async () => {
          const good = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(TEST_SECRET_KEY));
          const [h, , s] = good.split('.');
          return `${h}.${b64({ ...claims(), sub: 'someone-else' })}.${s}`;
        },
      ],
      ['garbage', async () => 'not.a.jwt'],
    ])('refuses %s with 401', async (_name, forge) => {
      const res = await me(await forge());
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    });

    it('refuses an access token once ACCESS_TOKEN_EXPIRE_MINUTES have passed, even one already accepted', async () => {
      const s = await signUp(api);
      // Accepted first, so the process remembers it as verified; expiry must still win.
      expect((await me(s.access_token)).status).toBe(200);
      api.clock.advance(31 * 60_000);
      try {
        const res = await me(s.access_token);
        expect(res.status).toBe(401);
        expect(res.body.message).toMatch(/expired/);
      } finally {
        api.clock.advance(-31 * 60_000);
      }
    });
  });

  describe('the user comes from the token only', () => {
    it("ignores no field: PATCH /me with someone else's id or a tier is refused", async () => {
      const a = await signUp(api);
      const b = await signUp(api);
      const res = await api.request('PATCH', '/api/v1/me', { token: a.access_token, body: { id: b.user.id, tier: 'team' } });
      expect(res.status).toBe(400);
      expect((await me(b.access_token)).body.tier).toBe('free');
      expect((await me(a.access_token)).body.tier).toBe('free');
    });

    it("updates only the signed-in learner's own name and time zone", async () => {
      const a = await signUp(api);
      const res = await api.request('PATCH', '/api/v1/me', { token: a.access_token, body: { name: 'Grace', timezone: 'Asia/Tokyo' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: a.user.id, name: 'Grace', timezone: 'Asia/Tokyo' });
    });

    it('applies a tier change to the very next request (the tier is read from the database)', async () => {
      const a = await signUp(api);
      await api.request('POST', `/api/v1/admin/users/${a.user.id}/tier`, { token: TEST_ADMIN_TOKEN, body: { tier: 'pro' } });
      expect((await me(a.access_token)).body.tier).toBe('pro');
    });
  });

  describe('tier changes', () => {
    it('lets the admin token change a tier and records it', async () => {
      const a = await signUp(api);
      const res = await api.request('POST', `/api/v1/admin/users/${a.user.id}/tier`, {
        token: TEST_ADMIN_TOKEN,
        body: { tier: 'premium' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: a.user.id, tier: 'premium' });
      expect(await auditEvents(a.user.id)).toContain('tier_changed');
    });

    it.each([
      ['no token', undefined],
      ['a learner token', 'learner'],
      ['a wrong admin token', 'x'.repeat(48)],
    ])('refuses the admin path with %s', async (_name, token) => {
      const a = await signUp(api);
      const res = await api.request('POST', `/api/v1/admin/users/${a.user.id}/tier`, {
        token: token === 'learner' ? a.access_token : token,
        body: { tier: 'team' },
      });
      expect(res.status).toBe(401);
      expect((await me(a.access_token)).body.tier).toBe('free');
    });

    it('answers 404 for an unknown user and 400 for an unknown tier', async () => {
      const a = await signUp(api);
      expect(
        (await api.request('POST', '/api/v1/admin/users/nobody/tier', { token: TEST_ADMIN_TOKEN, body: { tier: 'pro' } })).status,
      ).toBe(404);
      expect(
        (await api.request('POST', `/api/v1/admin/users/${a.user.id}/tier`, { token: TEST_ADMIN_TOKEN, body: { tier: 'gold' } })).status,
      ).toBe(400);
    });
  });

  describe('export and deletion', () => {
    it("exports the learner's own rows, without secrets", async () => {
      const a = await signUp(api);
      await signUp(api);
      const res = await api.request('GET', '/api/v1/me/export', { token: a.access_token });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(a.user.id);
      expect(res.text).not.toMatch(/password_hash|token_hash|scrypt\$/);
      expect(res.body.sessions).toHaveLength(1);
      expect(await auditEvents(a.user.id)).toContain('data_exported');
    });

    it('deletes the account and its rows; its tokens stop working', async () => {
      const a = await signUp(api);
      const del = await api.request('DELETE', '/api/v1/me', { token: a.access_token, body: { password: a.password } });
      expect(del.status).toBe(204);
      expect(await api.db.write('users').where({ id: a.user.id })).toHaveLength(0);
      expect(await api.db.write('refresh_tokens').where({ user_id: a.user.id })).toHaveLength(0);
      expect((await me(a.access_token)).status).toBe(401);
      // The chapter view loads the learner its own way (with the chapter's state): same answer.
      expect((await api.request('GET', '/api/v1/chapters/1', { token: a.access_token })).status).toBe(401);
      expect((await api.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: a.refresh_token } })).status).toBe(401);
    });
  });
});
