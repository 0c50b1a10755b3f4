import { randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import type { AccountContext } from './accounts';
import { confirmPassword } from './accounts';
import { recordAudit } from './audit';
import { hashPassword } from './passwords';
import { hashRefreshToken, newSecretToken } from './tokens';

/**
 * Password change and reset, and "sign out everywhere" (issue 15, ASVS 2.5 and 3.3).
 * Each revokes sign-ins in the database (refresh-token families) and tells this pod's
 * SessionRevocations, so the access tokens of those sign-ins stop too.
 */

async function endSessions(ctx: AccountContext, userId: string, keepSessionId?: string): Promise<void> {
  const families = await ctx.stores.tokens.revokeUserFamilies(userId, ctx.clock.now().toISOString(), keepSessionId);
  ctx.sessions.revoked(families);
}

async function setPassword(ctx: AccountContext, userId: string, password: string): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.stores.accounts.update(userId, { password_hash: await hashPassword(password, ctx.passwordCost), updated_at: now });
  // A link mailed before the change must not undo it.
  await ctx.stores.passwordResets.spendAllForUser(userId, now);
}

/** The current password is required; every other sign-in of the learner ends, this one stays. */
export async function changePassword(
  ctx: AccountContext,
  who: { userId: string; sessionId?: string },
  input: { current_password: string; new_password: string },
): Promise<void> {
  await confirmPassword(ctx, who.userId, input.current_password);
  await setPassword(ctx, who.userId, input.new_password);
  await endSessions(ctx, who.userId, who.sessionId);
  await recordAudit(ctx.stores.audit, ctx.clock, 'password_changed', who.userId);
}

/** Every sign-in of the learner ends, this one included. */
export async function signOutEverywhere(ctx: AccountContext, userId: string): Promise<void> {
  await endSessions(ctx, userId);
  await recordAudit(ctx.stores.audit, ctx.clock, 'signed_out_everywhere', userId);
}

/**
 * Mail a reset link if the address has an account. The caller answers the same either
 * way and does not wait for the returned delivery, so neither the answer nor its timing
 * tells whether the address is known (ASVS 2.5.x). The token is 256 random bits, kept
 * only as its SHA-256, good once for `passwordReset.minutes`.
 */
export async function requestPasswordReset(ctx: AccountContext, email: string): Promise<{ delivery: Promise<void> }> {
  const row = await ctx.stores.accounts.find({ email });
  if (!row) return { delivery: Promise.resolve() };
  const delivery = (async () => {
    const { token, hash } = newSecretToken();
    const now = ctx.clock.now();
    await ctx.stores.passwordResets.insert({
      id: randomUUID(),
      user_id: row.id,
      token_hash: hash,
      expires_at: new Date(now.getTime() + ctx.passwordReset.minutes * 60_000).toISOString(),
      used_at: null,
      created_at: now.toISOString(),
    });
    await recordAudit(ctx.stores.audit, ctx.clock, 'password_reset_requested', row.id);
    await ctx.mailer.send({
      to: row.email,
      subject: 'Reset your Course Companion password',
      text: [
        'Someone (we hope you) asked to reset the password of your Course Companion account.',
        `To choose a new password, open this link within ${ctx.passwordReset.minutes} minutes:`,
        '',
        `${ctx.passwordReset.pageUrl}?token=${token}`,
        '',
        'If you did not ask for this, ignore this message: your password stays as it is.',
      ].join('\n'),
    });
  })();
  return { delivery };
}

export class InvalidResetToken extends AppError {
  constructor() {
    super(400, 'invalid_reset_token', 'This reset link is not valid: it was used already or has expired. Ask for a new one.');
  }
}

/** Spend the link, set the new password, end every sign-in of the learner. */
export async function resetPassword(ctx: AccountContext, input: { token: string; new_password: string }): Promise<void> {
  const userId = await ctx.stores.passwordResets.spend(hashRefreshToken(input.token), ctx.clock.now().toISOString());
  if (!userId) throw new InvalidResetToken();
  await setPassword(ctx, userId, input.new_password);
  await endSessions(ctx, userId);
  await recordAudit(ctx.stores.audit, ctx.clock, 'password_reset', userId);
}
