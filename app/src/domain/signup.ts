import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, Conflict } from '../errors';
import type { UserRow } from '../db/account-stores';
import { recordAudit } from './audit';
import { hashPassword } from './passwords';
import { hashRefreshToken, newSecretToken } from './tokens';
import { sessionFor, toUser, type AccountContext, type RegisterBody, type Session, type User } from './accounts';

/**
 * Sign-up with e-mail verification (issue 15, ASVS 2.x): the account exists only once the
 * link mailed to the address is followed, so the register answer never tells whether an
 * address already has an account. See docs/security.md.
 */

export const SignupConfirmBody = z.object({ token: z.string().min(20).max(200) }).strict();

/** What register answers, whatever the address. */
export const SIGNUP_ACCEPTED = {
  status: 'accepted',
  message: 'Check your inbox: we sent a link to finish signing up.',
} as const;

/**
 * Keep a sign-up request and mail its link, or, when the address already has an account,
 * mail the owner a note instead and keep nothing. Both paths hash the password (the same
 * scrypt work, which is most of the time) and purge expired requests, so both write and
 * both fail alike when the table cannot be written; only a new address adds its own row, a
 * small insert beside scrypt. The caller answers the same and does not wait for
 * `delivery`, so neither the answer nor its timing tells the two apart. A failed write
 * throws, before any answer.
 */
export async function requestSignUp(ctx: AccountContext, input: z.infer<typeof RegisterBody>): Promise<{ delivery: Promise<void> }> {
  const password_hash = await hashPassword(input.password, ctx.passwordCost);
  const now = ctx.clock.now();
  await ctx.stores.signupRequests.purgeExpired(now.toISOString());
  const existing = await ctx.stores.accounts.find({ email: input.email });
  if (existing) return { delivery: mailAlreadyRegistered(ctx, existing.email) };
  const { token, hash } = newSecretToken();
  await ctx.stores.signupRequests.insert({
    id: randomUUID(),
    email: input.email,
    password_hash,
    name: input.name ?? null,
    timezone: input.timezone ?? 'UTC',
    token_hash: hash,
    expires_at: new Date(now.getTime() + ctx.signUp.hours * 3_600_000).toISOString(),
    created_at: now.toISOString(),
  });
  return { delivery: mailFinishLink(ctx, input.email, token) };
}

function mailFinishLink(ctx: AccountContext, email: string, token: string): Promise<void> {
  return ctx.mailer.send({
    to: email,
    subject: 'Finish signing up to Course Companion',
    text: [
      'Someone (we hope you) asked to create a Course Companion account with this address.',
      `To finish signing up, open this link within ${ctx.signUp.hours} hours:`,
      '',
      `${ctx.signUp.pageUrl}?token=${token}`,
      '',
      'If you did not ask for this, ignore this message: no account is created.',
    ].join('\n'),
  });
}

function mailAlreadyRegistered(ctx: AccountContext, email: string): Promise<void> {
  return ctx.mailer.send({
    to: email,
    subject: 'You already have a Course Companion account',
    text: [
      'Someone (maybe you) tried to sign up to Course Companion with this address.',
      'You already have an account, so nothing was changed.',
      '',
      `Sign in at ${ctx.signUp.signInUrl}`,
      `Forgot your password? Choose a new one at ${ctx.signUp.forgotPasswordUrl}`,
      '',
      'If it was not you, ignore this message: your account stays as it is.',
    ].join('\n'),
  });
}

export class InvalidSignupToken extends AppError {
  constructor() {
    super(400, 'invalid_signup_token', 'This sign-up link is not valid: it was used already or has expired. Sign up again.');
  }
}

/**
 * Follow the mailed link: spend the request (and every other one for its address), create
 * the account as requested and sign the learner in. One transaction, so a failure leaves
 * the link working.
 */
export async function confirmSignUp(ctx: AccountContext, input: z.infer<typeof SignupConfirmBody>): Promise<Session> {
  const user = await ctx.stores.transaction(async (stores): Promise<User> => {
    const now = ctx.clock.now().toISOString();
    const request = await stores.signupRequests.spend(hashRefreshToken(input.token), now);
    if (!request) throw new InvalidSignupToken();
    const row: UserRow = {
      id: randomUUID(),
      email: request.email,
      password_hash: request.password_hash,
      name: request.name,
      tier: 'free',
      timezone: request.timezone,
      created_at: now,
      updated_at: now,
    };
    // An account made for this address since the request (another link of the same
    // mailbox, raced). Saying so tells nothing new: only the mailbox's owner holds the token.
    if (!(await stores.accounts.insert(row))) throw new Conflict('An account with this e-mail address already exists.');
    await recordAudit(stores.audit, ctx.clock, 'account_registered', row.id);
    return toUser(row);
  });
  return sessionFor(ctx, user);
}
