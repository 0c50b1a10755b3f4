import type { Knex } from 'knex';

// Issue 15 (ASVS level 2). Expand-only: a nullable column and a new table, so the
// running version keeps working while this one rolls out.
export async function up(knex: Knex): Promise<void> {
  // When the sign-in behind a refresh-token family must end, however often it is
  // rotated (SESSION_ABSOLUTE_DAYS). Null on families from before: capped at next use.
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.string('session_expires_at', 32).nullable();
  });

  // Password reset links: only the SHA-256 of the token is kept; each works once.
  await knex.schema.createTable('password_reset_tokens', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.string('expires_at', 32).notNullable();
    t.string('used_at', 32).nullable();
    t.string('created_at', 32).notNullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('password_reset_tokens');
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.dropColumn('session_expires_at');
  });
}
