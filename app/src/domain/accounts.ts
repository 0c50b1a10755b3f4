import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Clock } from '../clock';
import { Conflict, NotFound, Unauthorized } from '../errors';
import type { Database } from '../db/database';
import { TIERS, type Tier } from './tiers';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { recordAudit, auditEventsFor } from './audit';
import {
  issueAccessToken,
  issueRefreshToken,
  revokeRefreshToken,
  rotateRefreshToken,
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

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const Email = z.string().trim().toLowerCase().max(320).email();
const TimeZone = z.string().max(64).refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Paris' });
const Name = z.string().trim().min(1).max(200);

export const RegisterBody = z
  .object({
    email: Email,
    // Upper bound keeps a hashing request from being a denial-of-service vector.
    password: z.string().min(10).max(200),
    name: Name.nullable().optional(),
    timezone: TimeZone.optional(),
  })
  .strict();

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(200) }).strict();
export const RefreshBody = z.object({ refresh_token: z.string().min(1).max(200) }).strict();
export const ProfilePatch = z.object({ name: Name.nullable().optional(), timezone: TimeZone.optional() }).strict();
export const TierBody = z.object({ tier: z.enum(TIERS) }).strict();

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  name: string | null;
  tier: Tier;
  timezone: string;
  created_at: string;
  updated_at: string;
}

export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, tier: row.tier, timezone: row.timezone, created_at: row.created_at };
}

export interface AccountContext {
  db: Database;
  clock: Clock;
  tokens: TokenSettings;
}

async function sessionFor(ctx: AccountContext, user: User, familyId?: string): Promise<Session> {
  return {
    access_token: await issueAccessToken(ctx.tokens, ctx.clock, user.id),
    refresh_token: await issueRefreshToken(ctx.db.write, ctx.tokens, ctx.clock, user.id, familyId),
    token_type: 'bearer',
    expires_in: ctx.tokens.accessTokenExpireMinutes * 60,
    user,
  };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

export async function register(ctx: AccountContext, input: z.infer<typeof RegisterBody>): Promise<Session> {
  const now = ctx.clock.now().toISOString();
  const row: UserRow = {
    id: randomUUID(),
    email: input.email,
    password_hash: await hashPassword(input.password),
    name: input.name ?? null,
    tier: 'free',
    timezone: input.timezone ?? 'UTC',
    created_at: now,
    updated_at: now,
  };
  try {
    await ctx.db.write('users').insert(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict('An account with this e-mail address already exists.');
    throw err;
  }
  await recordAudit(ctx.db.write, ctx.clock, 'account_registered', row.id);
  return sessionFor(ctx, toUser(row));
}

export async function login(ctx: AccountContext, input: z.infer<typeof LoginBody>, meta: { ip?: string } = {}): Promise<Session> {
  const row: UserRow | undefined = await ctx.db.write('users').where({ email: input.email }).first();
  // Same work whether or not the account exists, so timing does not reveal which.
  const ok = await verifyPassword(input.password, row?.password_hash ?? (await decoyHash()));
  if (!row || !ok) throw new Unauthorized('The e-mail address or password is wrong.');
  await recordAudit(ctx.db.write, ctx.clock, 'signed_in', row.id, { ip: meta.ip });
  return sessionFor(ctx, toUser(row));
}

export async function refresh(ctx: AccountContext, refreshToken: string): Promise<Session> {
  const { userId, familyId } = await rotateRefreshToken(ctx.db.write, ctx.clock, refreshToken);
  const row: UserRow | undefined = await ctx.db.write('users').where({ id: userId }).first();
  if (!row) throw new Unauthorized('The refresh token is not valid.');
  return sessionFor(ctx, toUser(row), familyId);
}

export async function logout(ctx: AccountContext, refreshToken: string): Promise<void> {
  const userId = await revokeRefreshToken(ctx.db.write, ctx.clock, refreshToken);
  if (userId) await recordAudit(ctx.db.write, ctx.clock, 'signed_out', userId);
}

export async function findUser(db: Knex, id: string): Promise<User | null> {
  const row: UserRow | undefined = await db('users').where({ id }).first();
  return row ? toUser(row) : null;
}

export async function updateProfile(ctx: AccountContext, userId: string, patch: z.infer<typeof ProfilePatch>): Promise<User> {
  const changes: Partial<UserRow> = { updated_at: ctx.clock.now().toISOString() };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.timezone !== undefined) changes.timezone = patch.timezone;
  await ctx.db.write('users').where({ id: userId }).update(changes);
  const user = await findUser(ctx.db.write, userId);
  if (!user) throw new NotFound('No such account.');
  return user;
}

/** Only the admin route and the payment webhook call this; no learner request reaches it. */
export async function setTier(
  ctx: { db: Database; clock: Clock },
  where: { id: string } | { email: string },
  tier: Tier,
  via: 'admin' | 'payment_webhook',
): Promise<User> {
  const row: UserRow | undefined = await ctx.db.write('users').where(where).first();
  if (!row) throw new NotFound('No such account.');
  if (row.tier !== tier) {
    await ctx.db.write('users').where({ id: row.id }).update({ tier, updated_at: ctx.clock.now().toISOString() });
    await recordAudit(ctx.db.write, ctx.clock, 'tier_changed', row.id, { from: row.tier, to: tier, via });
  }
  return { ...toUser(row), tier };
}

/** Tables holding a learner's rows, keyed by `user_id`; export and deletion both walk this list. */
const OWNED_TABLES = ['chapter_progress', 'reading_positions', 'quiz_attempts', 'activity_days'] as const;

export async function exportUserData(ctx: AccountContext, userId: string): Promise<Record<string, unknown>> {
  const user = await findUser(ctx.db.write, userId);
  if (!user) throw new NotFound('No such account.');
  const data: Record<string, unknown> = { exported_at: ctx.clock.now().toISOString(), user };
  for (const table of OWNED_TABLES) {
    data[table] = await ctx.db.write(table).where({ user_id: userId });
  }
  data.payment_events = await ctx.db
    .write('payment_events')
    .where({ email: user.email })
    .select('id', 'event', 'signed_at', 'received_at', 'outcome')
    .orderBy('signed_at');
  // Token metadata only: the hashes are secrets of the service, not data of the learner.
  data.sessions = await ctx.db
    .write('refresh_tokens')
    .where({ user_id: userId })
    .select('family_id', 'created_at', 'expires_at', 'used_at', 'revoked_at')
    .orderBy('created_at');
  await recordAudit(ctx.db.write, ctx.clock, 'data_exported', userId);
  data.audit_events = await auditEventsFor(ctx.db.write, userId);
  return data;
}

/**
 * Delete the account and every row it owns. Foreign keys cascade, but the owned
 * tables are also cleared explicitly so a table added without a cascade cannot keep
 * data behind. The audit trail keeps the bare id (no e-mail) as the operator's record.
 */
export async function deleteAccount(ctx: AccountContext, userId: string): Promise<void> {
  await ctx.db.write.transaction(async (trx) => {
    for (const table of [...OWNED_TABLES, 'refresh_tokens']) await trx(table).where({ user_id: userId }).delete();
    // Payment deliveries are keyed by email (the provider's identifier): theirs go too.
    const user: { email: string } | undefined = await trx('users').where({ id: userId }).first('email');
    if (user) await trx('payment_events').where({ email: user.email }).delete();
    const deleted = await trx('users').where({ id: userId }).delete();
    if (deleted !== 1) throw new NotFound('No such account.');
  });
  await recordAudit(ctx.db.write, ctx.clock, 'account_deleted', userId);
}
