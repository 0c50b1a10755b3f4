import type { Knex } from 'knex';

/**
 * What the learning functions need of the database: the primary for writes and for
 * reads that must see them, and the (possibly replica) connection for other reads.
 * `Database` from app/src/db/database.ts satisfies it.
 */
export interface LearningDatabase {
  readonly write: Knex;
  readonly read: Knex;
}

/** The learner as the token names them; never taken from a request body. */
export interface Learner {
  readonly id: string;
  readonly tier: import('./tiers').Tier;
  readonly timezone: string;
}
