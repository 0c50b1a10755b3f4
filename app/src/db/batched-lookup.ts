import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { preparedStatement, type SqlValue } from './prepared';

/** Most keys one batched statement takes; more wait for the next statement. */
const MAX_BATCH = 100;

export interface BatchedLookupSpec<Key> {
  /** Names both prepared statements (`<name>` and `<name>_batch`). */
  readonly name: string;
  /** The lookup of one key, as both engines run it. */
  readonly single: { readonly sql: string; params(key: Key): SqlValue[] };
  /**
   * PostgreSQL: the same lookup for many keys in one statement. Its parameters are
   * arrays, one element per key, typically unnested `with ordinality`; each row carries
   * `batch_index`, the 1-based position of the key it answers.
   */
  readonly batch: { readonly sql: string; params(keys: readonly Key[]): (readonly string[] | readonly number[])[] };
}

export interface BatchedLookup<Key, Row> {
  /** The row for `key`, or undefined; read when called, never from a cache. */
  load(key: Key): Promise<Row | undefined>;
}

/** A lookup as written, not yet bound to a database: `on(knex)` binds it. */
export interface BatchedLookupStatement<Key, Row> {
  /** The lookup on this connection pool; build it once (at start) and keep it, so lookups can share batches. */
  on(knex: Knex): BatchedLookup<Key, Row>;
}

/**
 * A lookup every request makes (the signed-in learner's row), answered for every
 * request that asks within the same turn of the event loop by ONE statement.
 *
 * On PostgreSQL each statement is a round trip, and under load the round trips, not the
 * index lookups, were most of the api's time: a busy process handles dozens of requests
 * per turn, each waking the database for one row. Batched, they share one statement and
 * one wake-up (the chapter view on PostgreSQL went from ~6 700 to ~14 000 req/s). A
 * request alone is answered in the same turn, as before: the batch closes at the end of
 * the turn's I/O callbacks (setImmediate), before the loop waits for anything.
 *
 * Nothing is cached (DataLoader's cache is off): every request reads the row as it is
 * when the statement runs, after the request arrived, so a tier change still applies to
 * the very next request. SQLite has no round trip to save and runs the single statement.
 */
export function batchedLookup<Key, Row>(spec: BatchedLookupSpec<Key>): BatchedLookupStatement<Key, Row> {
  const single = preparedStatement<Row>(spec.name, spec.single.sql);
  const batch = preparedStatement<Row & { batch_index: number | string }>(`${spec.name}_batch`, spec.batch.sql);
  return {
    on(knex) {
      if ((knex.client as { dialect: string }).dialect !== 'postgresql') {
        return { load: (key) => single.first(knex, spec.single.params(key)) };
      }
      const loader = new DataLoader<Key, Row | undefined>(
        async (keys) => {
          if (keys.length === 1) return [await single.first(knex, spec.single.params(keys[0]))];
          const rows = await batch.rows(knex, spec.batch.params(keys));
          const byPosition = new Map(rows.map((row) => [Number(row.batch_index), row]));
          return keys.map((_key, index) => withoutBatchIndex(byPosition.get(index + 1)));
        },
        { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (run) => setImmediate(run) },
      );
      return { load: (key) => loader.load(key) };
    },
  };
}

function withoutBatchIndex<Row>(row: (Row & { batch_index?: unknown }) | undefined): Row | undefined {
  if (!row) return undefined;
  const { batch_index: _position, ...rest } = row;
  return rest as Row;
}
