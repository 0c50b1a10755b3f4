import { accountStoresOn, type AccountStores } from './account-stores';
import { SqlBillingStore, type BillingStore } from './billing-store';
import type { Cache } from './cache';
import { SqlContentStore, type ContentStore } from './content-store';
import type { Database } from './database';
import { SqlLearnerStore, type LearnerStore } from './learner-store';
import { SqlProgressStore, type ProgressStore } from './progress-store';

/**
 * Every store over one database: all the app's SQL lives behind these. Built once where
 * the app starts (createApiApp, or a test) and passed in; a store keeps whatever it
 * caches, so nothing is cached per module or keyed by a connection.
 */
export interface Stores extends AccountStores {
  readonly learners: LearnerStore;
  readonly progress: ProgressStore;
  readonly content: ContentStore;
  /** Learners' Stripe customers. */
  readonly billing: BillingStore;
}

/** What the learning functions (course, chapters, quizzes, progress, search) read and write. */
export type LearningStores = Pick<Stores, 'learners' | 'progress' | 'content'>;

export interface OpenStoresOptions {
  /** The shared content cache (Redis), when there is one. */
  readonly cache?: Cache;
}

export function openStores(db: Database, options: OpenStoresOptions = {}): Stores {
  return {
    ...accountStoresOn(db.write),
    learners: new SqlLearnerStore(db),
    progress: new SqlProgressStore(db),
    content: SqlContentStore.of(db, { cache: options.cache }),
    billing: new SqlBillingStore(db.write),
  };
}
