// Tariff changes: why a change was cancelled (by the subscriber, or by the rules when a scheduled one was due),
// the key of the confirm request that made it (a double click makes one change, not an error), and at most one
// scheduled change per contract.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tariff_changes', (t) => {
    t.string('cancel_reason', 40); // subscriber | blocked | paused | paused_today | balance | tariff_unavailable | tariff_changed
    t.string('request_key', 80).unique();
  });
  await knex.schema.alterTable('tariff_changes', (t) => {
    t.unique(['contract_id'], { indexName: 'tariff_changes_one_scheduled', predicate: knex.whereRaw("status = 'scheduled'") });
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
