import { randomUUID } from 'node:crypto';
import type { AuditStore } from '../db/account-stores';
import type { Clock } from '../clock';

/** Security-relevant events kept in `audit_events` (never a password, token or e-mail body). */
export type AuditEvent =
  | 'account_registered'
  | 'signed_in'
  | 'refresh_token_reuse'
  | 'signed_out'
  | 'signed_out_everywhere'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'tier_changed'
  | 'data_exported'
  | 'account_deleted';

export async function recordAudit(
  audit: AuditStore,
  clock: Clock,
  event: AuditEvent,
  userId: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await audit.insert({
    id: randomUUID(),
    user_id: userId,
    event,
    details_json: JSON.stringify(details),
    created_at: clock.now().toISOString(),
  });
}

export async function auditEventsFor(
  audit: AuditStore,
  userId: string,
): Promise<{ event: string; details: unknown; created_at: string }[]> {
  const rows = await audit.forUser(userId);
  return rows.map((r) => ({ event: r.event, details: JSON.parse(r.details_json) as unknown, created_at: r.created_at }));
}
