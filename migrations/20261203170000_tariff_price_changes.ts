// «Изменение цены» of a tariff (issue 11): a new monthly fee from a provider day. The daily charge run applies it
// in the transaction that charges from_day (src/billing/charges.ts), so the days before are charged at the old fee
// and from_day on at the new one; until then it can be cancelled. The notice to the tariff's contracts is sent by a
// job (src/admin/tariffs/jobs.ts), once per contract (notify's key).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tariff_price_changes', (t) => {
    t.increments('id');
    t.integer('tariff_id').notNullable().references('tariffs.id');
    t.integer('fee_kopecks').notNullable();
    t.string('from_day', 10).notNullable(); // provider day, YYYY-MM-DD
    t.integer('previous_fee_kopecks').notNullable(); // the fee when the change was made (the audit, the list)
    t.text('notice_text').notNullable();
    t.integer('created_by').references('staff.id');
    t.string('created_at', 30).notNullable();
    t.string('applied_at', 30);
    t.string('cancelled_at', 30);
    t.integer('cancelled_by').references('staff.id');
    t.index(['tariff_id', 'from_day']);
    t.index(['from_day']);
  });
  // One pending change per tariff: a second one waits until the first is applied or cancelled.
  await knex.schema.alterTable('tariff_price_changes', (t) => {
    t.unique(['tariff_id'], { indexName: 'tariff_price_changes_one_pending', predicate: knex.whereRaw('applied_at is null and cancelled_at is null') });
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
