import type { Knex } from 'knex';

// Issue 15 (ASVS 2.x): sign-up proves the mailbox before the account exists, so the
// register answer no longer tells who has an account. A request waits here, keyed by the
// SHA-256 of the token mailed to the address, until the link is followed or expires.
// Expand-only: a new table the previous image never reads.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signup_requests', (t) => {
    t.string('id', 36).primary();
    // Not unique: the same address may ask twice before following either link.
    t.string('email', 320).notNullable().index();
    t.string('password_hash', 255).notNullable();
    t.string('name', 200).nullable();
    t.string('timezone', 64).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('expires_at', 32).notNullable().index();
    t.string('created_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('signup_requests');
}
