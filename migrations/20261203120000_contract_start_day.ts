// «Новый договор» (issue 11): a contract signed today may start later. The daily charge run charges a contract from
// its first day of service (start_day, a provider day YYYY-MM-DD), never before; null: from its creation, as before.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contracts', (t) => {
    t.string('start_day', 10);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
