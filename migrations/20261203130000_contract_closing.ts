// Closing a contract (issue 11): the status 'closed' (contracts.status is a plain string) with the closing day and
// the reason beside it. The days up to the closing day are charged when the contract is closed; after it, nothing.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contracts', (t) => {
    t.string('closed_on', 10); // the last day of service (the provider's day), set with status 'closed'
    t.string('closed_reason', 300);
  });
}

export async function down(): Promise<void> {
  // forward only
}
