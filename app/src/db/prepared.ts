import type { Knex } from 'knex';

/** A value bound to a `?` of a prepared statement; arrays only on PostgreSQL (`?::int[]`). */
export type SqlValue = string | number | null | readonly string[] | readonly number[];

/**
 * A statement of a hot path (one that runs on every page view), written once as SQL
 * both engines accept (or, for the batched lookups of batched-lookup.ts, PostgreSQL
 * alone) and prepared once per connection: SQLite keeps the compiled
 * statement (each `PreparedStatement` remembers its own, per connection), PostgreSQL a
 * named prepared statement, so neither parses nor plans it again. Only statements
 * written here are kept: knex's own statements are prepared anew, so no setting one
 * query makes on a statement (knex's `safeIntegers`, say) reaches another.
 *
 * Why not knex's builder here: building and compiling the query, then knex's runner,
 * cost several times what the database spends on an indexed lookup (about 80 µs against
 * 5 µs on SQLite). And `.first()` binds its LIMIT, which costs SQLite another 11 µs per
 * run; a literal `limit 1` does not. Everything else stays on knex, where the builder's
 * safety and readability are worth far more than microseconds.
 *
 * The connection still comes from knex's pool, so a statement never runs inside
 * another caller's open transaction, and the pool's health checks still apply.
 */
export interface PreparedStatement<Row> {
  readonly name: string;
  /** Every row, in the statement's order. */
  rows(knex: Knex, params: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. */
  first(knex: Knex, params: readonly SqlValue[]): Promise<Row | undefined>;
}

interface KnexClientInternals {
  readonly dialect: string;
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

interface SqliteStatement {
  all(params: readonly SqlValue[]): unknown[];
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

interface PgConnection {
  query(config: { name: string; text: string; values: readonly SqlValue[] }): Promise<{ rows: unknown[] }>;
}

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * `sql` uses `?` for parameters and plain lower-case identifiers (no quoting needed on
 * either engine). It must hold no string literal or comment, so that every `?` is a
 * parameter: the placeholders are rewritten to `$1…$n` for PostgreSQL.
 */
export function preparedStatement<Row>(name: string, sql: string): PreparedStatement<Row> {
  if (!NAME.test(name)) throw new Error(`prepared statement name "${name}" must match ${NAME}`);
  if (/['"`;]|--|\/\*/.test(sql)) throw new Error(`prepared statement ${name}: no quotes, comments or ";" in its SQL`);
  const parameterCount = sql.split('?').length - 1;
  let index = 0;
  const pgText = sql.replace(/\?/g, () => `$${(index += 1)}`);
  // better-sqlite3 runs one statement at a time and this one is never left iterating,
  // so its compiled form can be reused; SQLite re-prepares it after a schema change.
  const compiled = new WeakMap<SqliteConnection, SqliteStatement>();
  const sqliteStatement = (connection: SqliteConnection) => {
    let statement = compiled.get(connection);
    if (!statement) {
      statement = connection.prepare(sql);
      compiled.set(connection, statement);
    }
    return statement;
  };

  async function rows(knex: Knex, params: readonly SqlValue[]): Promise<Row[]> {
    if (params.length !== parameterCount) {
      throw new Error(`prepared statement ${name} takes ${parameterCount} parameters, not ${params.length}`);
    }
    const client = knex.client as KnexClientInternals;
    // Listeners of knex's 'query' event (DATABASE_ECHO, tests) see these statements too.
    if (knex.listenerCount('query') > 0) knex.emit('query', { sql, method: 'select', bindings: [], preparedStatement: name });
    const connection = await client.acquireConnection();
    try {
      switch (client.dialect) {
        case 'postgresql':
          return (await (connection as PgConnection).query({ name, text: pgText, values: params })).rows as Row[];
        case 'sqlite3':
          return sqliteStatement(connection as SqliteConnection).all(params) as Row[];
        default:
          throw new Error(`prepared statement ${name}: unsupported database ${client.dialect}`);
      }
    } finally {
      await client.releaseConnection(connection);
    }
  }

  return {
    name,
    rows,
    async first(knex, params) {
      return (await rows(knex, params))[0];
    },
  };
}
