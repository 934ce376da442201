// Whether a day is charged is decided by the periods that a contract's charge entries cover (period_from ..
// period_to), not by the daily key alone: a charge written any other way (the seed, an import from an old billing,
// a correction) counts too. This index finds, for one contract, the charges whose period reaches a given day.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index ledger_entries_charge_periods on ledger_entries (contract_id, period_to, period_from) where kind = 'charge'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index ledger_entries_charge_periods');
}
