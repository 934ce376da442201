// Voluntary blocks: the key of the confirm request that made one (a double click makes one block, not a refusal)
// and why a block was cancelled (by the subscriber, or because the contract was blocked when it was to start).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('voluntary_blocks', (t) => {
    t.string('request_key', 80).unique();
    t.string('cancel_reason', 40); // subscriber | contract_blocked
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
