// The unread notices' partial index gains id, the query's tie-breaker (created_at desc, id desc), on PostgreSQL: there
// the rows were sorted after the index read. SQLite's index carries the rowid (id) already and reads them in order,
// so it is left as it is there.
import type { Knex } from 'knex';
import { isPostgres } from '../src/engine';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('drop index notifications_unread_idx');
  await knex.raw('create index notifications_unread_idx on notifications (contract_id, created_at, id) where read_at is null');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('drop index notifications_unread_idx');
  await knex.raw('create index notifications_unread_idx on notifications (contract_id, created_at) where read_at is null');
}
