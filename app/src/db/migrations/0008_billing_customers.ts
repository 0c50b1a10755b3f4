import type { Knex } from 'knex';

// Each learner's Stripe customer, created at their first checkout, so the webhook can map
// a subscription back to the learner and the portal opens on their own billing.
// Expand-only: a new table; deleting the learner deletes the link.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('billing_customers', (t) => {
    t.string('user_id', 36).primary().references('id').inTable('users').onDelete('CASCADE');
    t.string('customer_id', 255).notNullable().unique();
    t.string('created_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('billing_customers');
}
