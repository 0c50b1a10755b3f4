import type { Knex } from 'knex';

// Payment webhook deliveries already seen, so a replayed or retried event changes
// nothing and an older event cannot undo a newer one. Expand-only: a new table.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payment_events', (t) => {
    t.string('id', 100).primary();
    t.string('email', 320).notNullable();
    t.string('event', 40).notNullable();
    t.bigInteger('signed_at').notNullable();
    t.string('received_at', 32).notNullable();
    t.string('outcome', 16).notNullable();
    t.index(['email', 'signed_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('payment_events');
}
