// The dashboard shows a contract's newest unread notices on every visit: a partial index over the unread rows only
// (read ones, the vast majority, are not in it), ordered by time, answers it with one short range read.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index notifications_unread_idx on notifications (contract_id, created_at) where read_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index notifications_unread_idx');
}
