import type { AccountContext, User } from './accounts';
import { findUser } from './accounts';
import { recordAudit, auditEventsFor } from './audit';
import type { LearningStores } from '../db/stores';
import { NotFound } from '../errors';
import type { Learner } from './learner';
import { getProgress, percentageOf, type Progress } from './progress';
import type { AttemptSummary } from './quizzes';

/** One stored attempt as the export shows it: the api's AttemptSummary, its chapter and the answers given. */
export interface ExportedAttempt extends AttemptSummary {
  readonly chapter_number: number;
  readonly answers: unknown;
}

/**
 * Everything the service keeps about a learner, in the shapes docs/contracts.md
 * documents (`DataExport`) rather than raw rows: a learner reading their export sees
 * `"passed": true`, not `0`, and their answers as JSON, not an escaped string.
 */
export interface DataExport {
  readonly exported_at: string;
  readonly user: User;
  readonly progress: Progress;
  readonly quiz_attempts: readonly ExportedAttempt[];
  readonly activity_days: readonly string[];
  readonly payment_events: unknown;
  readonly sessions: unknown;
  readonly billing_customers: unknown;
  readonly audit_events: readonly { event: string; details: unknown; created_at: string }[];
}

interface AttemptRecord {
  id: string;
  chapter_number: number | string;
  score: number | string;
  max_score: number | string;
  passed: boolean | number;
  answers_json: string;
  created_at: string;
  seq: number | string;
}

function exportedAttempt(row: AttemptRecord): ExportedAttempt {
  const score = Number(row.score);
  const maxScore = Number(row.max_score);
  return {
    attempt_id: row.id,
    score,
    max_score: maxScore,
    percentage: percentageOf(score, maxScore),
    passed: Boolean(row.passed),
    created_at: row.created_at,
    chapter_number: Number(row.chapter_number),
    answers: JSON.parse(row.answers_json) as unknown,
  };
}

export async function exportLearnerData(accounts: AccountContext, learning: LearningStores, learner: Learner): Promise<DataExport> {
  const user = await findUser(accounts.stores, learner.id);
  if (!user) throw new NotFound('No such account.');
  const owned = await accounts.stores.accounts.ownedRows(learner.id, user.email);
  const attempts = (owned.quiz_attempts as AttemptRecord[]).sort((a, b) => Number(a.seq) - Number(b.seq));
  const days = (owned.activity_days as { day: string }[]).map((d) => d.day).sort();
  await recordAudit(accounts.stores.audit, accounts.clock, 'data_exported', learner.id);
  return {
    exported_at: accounts.clock.now().toISOString(),
    user,
    progress: await getProgress(learning, learner, accounts.clock),
    quiz_attempts: attempts.map(exportedAttempt),
    activity_days: days,
    payment_events: owned.payment_events,
    sessions: owned.sessions,
    billing_customers: owned.billing_customers,
    audit_events: await auditEventsFor(accounts.stores.audit, learner.id),
  };
}
