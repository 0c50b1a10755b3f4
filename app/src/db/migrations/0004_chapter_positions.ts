import type { Knex } from 'knex';

/**
 * Per-chapter reading state (issue 16 defect 4, issue 14): one row per learner and
 * chapter opened, holding when it was first opened (`started_at`), the last section read
 * in it and when it was last viewed. The resume point is the most recently viewed row,
 * so opening chapter B no longer makes chapter A "not started". Completion stays in
 * `chapter_progress`.
 *
 * `activity_days.timezone` records the zone a day was counted in, so a later zone change
 * (across the date line, say) can be told apart from a missed day (issue 16 defect 5).
 *
 * Expand only: `reading_positions` stays for pods of the previous version during a
 * rollout and is dropped by a later migration; its one row per learner is copied here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chapter_positions', (t) => {
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('chapter_number').notNullable();
    t.string('section_anchor', 160).nullable();
    t.string('started_at', 32).notNullable();
    t.string('viewed_at', 32).notNullable();
    t.primary(['user_id', 'chapter_number']);
    // The resume point: a learner's most recent view.
    t.index(['user_id', 'viewed_at']);
  });
  await knex.raw(
    `insert into chapter_positions (user_id, chapter_number, section_anchor, started_at, viewed_at)
     select user_id, chapter_number, section_anchor, updated_at, updated_at from reading_positions`,
  );
  await knex.schema.alterTable('activity_days', (t) => {
    t.string('timezone', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('activity_days', (t) => {
    t.dropColumn('timezone');
  });
  await knex.schema.dropTableIfExists('chapter_positions');
}
