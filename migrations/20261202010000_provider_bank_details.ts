// The provider's bank details for paying by bank transfer («Оплатить через банк»): one row, the provider's own
// (the demo seed writes the demo provider's). The «Контакты» page shows them beside the offices; a blocked
// subscriber's dashboard links there.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('provider_bank_details', (t) => {
    t.increments('id');
    t.string('recipient', 200).notNullable();
    t.string('inn', 12).notNullable();
    t.string('kpp', 9).notNullable();
    t.string('account', 20).notNullable();
    t.string('bank', 200).notNullable();
    t.string('bik', 9).notNullable();
    t.string('corr_account', 20).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('provider_bank_details');
}
