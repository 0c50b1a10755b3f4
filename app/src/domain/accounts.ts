import { z } from 'zod';
import type { Clock } from '../clock';
import { NotFound, Unauthorized, WrongPassword } from '../errors';
import type { AccountStores, UserChanges, UserRow } from '../db/account-stores';
import type { Mailer } from '../mailer';
import { TIERS, type Tier } from './tiers';
import { canonicalTimeZone } from './time-zones';
import { decoyHash, hashPassword, needsRehash, verifyPassword, type ScryptCost } from './passwords';
import { recordAudit } from './audit';
import type { SessionRevocations } from './sessions';
import {
  type AccessTokens,
  issueRefreshToken,
  newSessionFamily,
  revokeRefreshToken,
  rotateRefreshToken,
  type SessionFamily,
  type TokenSettings,
} from './tokens';

/** The learner as the API shows it (contracts.md `User`). */
export interface User {
  id: string;
  email: string;
  name: string | null;
  tier: Tier;
  timezone: string;
  created_at: string;
}

export interface Session {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: User;
}

const Email = z.string().trim().toLowerCase().max(320).email();
/** Any IANA name or alias, stored under its current name (time-zones.ts): Asia/Calcutta becomes Asia/Kolkata. */
const TimeZone = z
  .string()
  .max(64)
  .transform((zone, ctx) => {
    const canonical = canonicalTimeZone(zone);
    if (canonical === null) ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Paris' });
    return canonical ?? z.NEVER;
  });
const Name = z.string().trim().min(1).max(200);

// Upper bound keeps a hashing request from being a denial-of-service vector.
export const NewPassword = z.string().min(10).max(200);
const GivenPassword = z.string().min(1).max(200);

export const RegisterBody = z
  .object({
    email: Email,
    password: NewPassword,
    name: Name.nullable().optional(),
    timezone: TimeZone.optional(),
  })
  .strict();

export const LoginBody = z.object({ email: Email, password: GivenPassword }).strict();
export const PasswordChangeBody = z.object({ current_password: GivenPassword, new_password: NewPassword }).strict();
export const ReauthBody = z.object({ password: GivenPassword }).strict();
export const ResetRequestBody = z.object({ email: Email }).strict();
export const ResetConfirmBody = z.object({ token: z.string().min(20).max(200), new_password: NewPassword }).strict();
export const RefreshBody = z.object({ refresh_token: z.string().min(1).max(200) }).strict();
export const ProfilePatch = z.object({ name: Name.nullable().optional(), timezone: TimeZone.optional() }).strict();
export const TierBody = z.object({ tier: z.enum(TIERS) }).strict();

export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, tier: row.tier, timezone: row.timezone, created_at: row.created_at };
}

export interface AccountContext {
  stores: AccountStores;
  clock: Clock;
  tokens: TokenSettings;
  accessTokens: Pick<AccessTokens, 'issue'>;
  /** Told of every sign-in this pod ends, so its access tokens stop at once. */
  sessions: Pick<SessionRevocations, 'revoked'>;
  /** scrypt cost of new hashes; older hashes are upgraded at sign-in. */
  passwordCost: ScryptCost;
  mailer: Mailer;
  /** How long a reset link works, and the web page it opens. */
  passwordReset: { minutes: number; pageUrl: string };
  /** How long a sign-up link works, the page it opens, and where an existing account's owner is sent. */
  signUp: { hours: number; pageUrl: string; signInUrl: string; forgotPasswordUrl: string };
}

/** A fresh sign-in (new family) unless `family` continues one. */
export async function sessionFor(
  ctx: AccountContext,
  user: User,
  family: SessionFamily = newSessionFamily(ctx.tokens, ctx.clock),
): Promise<Session> {
  return {
    access_token: await ctx.accessTokens.issue(user.id, family.familyId),
    refresh_token: await issueRefreshToken(ctx.stores.tokens, ctx.tokens, ctx.clock, user.id, family),
    token_type: 'bearer',
    expires_in: ctx.tokens.accessTokenExpireMinutes * 60,
    user,
  };
}

export async function login(ctx: AccountContext, input: z.infer<typeof LoginBody>, meta: { ip?: string } = {}): Promise<Session> {
  const row = await ctx.stores.accounts.find({ email: input.email });
  // Same work whether or not the account exists, so timing does not reveal which.
  const ok = await verifyPassword(input.password, row?.password_hash ?? (await decoyHash(ctx.passwordCost)));
  if (!row || !ok) throw new Unauthorized('The e-mail address or password is wrong.');
  await upgradeHash(ctx, row, input.password);
  await recordAudit(ctx.stores.audit, ctx.clock, 'signed_in', row.id, { ip: meta.ip });
  return sessionFor(ctx, toUser(row));
}

export async function refresh(ctx: AccountContext, refreshToken: string): Promise<Session> {
  const { userId, family } = await rotateRefreshToken(ctx.stores, ctx.tokens, ctx.clock, refreshToken, (id) => ctx.sessions.revoked([id]));
  const row = await ctx.stores.accounts.find({ id: userId });
  if (!row) throw new Unauthorized('The refresh token is not valid.');
  return sessionFor(ctx, toUser(row), family);
}

/** Hashes made with weaker parameters than today's are replaced while the password is at hand. */
async function upgradeHash(ctx: AccountContext, row: UserRow, password: string): Promise<void> {
  if (!needsRehash(row.password_hash, ctx.passwordCost)) return;
  const password_hash = await hashPassword(password, ctx.passwordCost);
  await ctx.stores.accounts.update(row.id, { password_hash, updated_at: ctx.clock.now().toISOString() });
}

export async function logout(ctx: AccountContext, refreshToken: string): Promise<void> {
  const revoked = await revokeRefreshToken(ctx.stores.tokens, ctx.clock, refreshToken);
  if (!revoked) return;
  ctx.sessions.revoked([revoked.familyId]);
  await recordAudit(ctx.stores.audit, ctx.clock, 'signed_out', revoked.userId);
}

/**
 * Re-authentication: the signed-in learner's password, checked again before an action
 * that cannot be undone (ASVS 2.x / 3.7.1). 403 `wrong_password`, never 401, so the web
 * role does not mistake it for an ended session.
 */
export async function confirmPassword(ctx: AccountContext, userId: string, password: string): Promise<UserRow> {
  const row = await ctx.stores.accounts.find({ id: userId });
  if (!row) throw new NotFound('No such account.');
  if (!(await verifyPassword(password, row.password_hash))) throw new WrongPassword();
  return row;
}

export async function findUser(stores: Pick<AccountStores, 'accounts'>, id: string): Promise<User | null> {
  const row = await stores.accounts.find({ id });
  return row ? toUser(row) : null;
}

export async function updateProfile(ctx: AccountContext, userId: string, patch: z.infer<typeof ProfilePatch>): Promise<User> {
  const changes: UserChanges = { updated_at: ctx.clock.now().toISOString() };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.timezone !== undefined) changes.timezone = patch.timezone;
  await ctx.stores.accounts.update(userId, changes);
  const user = await findUser(ctx.stores, userId);
  if (!user) throw new NotFound('No such account.');
  return user;
}

/** Only the admin route and the payment webhook call this; no learner request reaches it. */
export async function setTier(
  ctx: { stores: Pick<AccountStores, 'accounts' | 'audit'>; clock: Clock },
  where: { id: string } | { email: string },
  tier: Tier,
  via: 'admin' | 'payment_webhook',
): Promise<User> {
  const row = await ctx.stores.accounts.find(where);
  if (!row) throw new NotFound('No such account.');
  if (row.tier !== tier) {
    await ctx.stores.accounts.update(row.id, { tier, updated_at: ctx.clock.now().toISOString() });
    await recordAudit(ctx.stores.audit, ctx.clock, 'tier_changed', row.id, { from: row.tier, to: tier, via });
  }
  return { ...toUser(row), tier };
}

/**
 * Delete the account and every row it owns (see AccountStore.delete). The audit trail
 * keeps the bare id (no e-mail) as the operator's record.
 */
export async function deleteAccount(ctx: AccountContext, userId: string, password: string): Promise<void> {
  await confirmPassword(ctx, userId, password);
  const families = await ctx.stores.tokens.revokeUserFamilies(userId, ctx.clock.now().toISOString());
  ctx.sessions.revoked(families);
  if (!(await ctx.stores.accounts.delete(userId))) throw new NotFound('No such account.');
  await recordAudit(ctx.stores.audit, ctx.clock, 'account_deleted', userId);
}
