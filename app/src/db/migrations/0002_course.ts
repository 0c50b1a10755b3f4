import type { Knex } from 'knex';

// The course's own title and description (app/content/course.yaml), one row, written
// by the content loader. Expand-only: nothing running reads it before this release.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('course', (t) => {
    t.integer('id').primary();
    t.string('title', 200).notNullable();
    t.text('description').notNullable();
    t.string('updated_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('course');
}
