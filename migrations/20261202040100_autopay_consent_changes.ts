// A changed autopayment rule is accepted again (issue 9 point 14): a consent row without a payment. payment_id
// becomes nullable (still unique: many rows may have none); `kind` says which: 'start' (with the first payment that
// saves the card) or 'change' (a rule changed while a card is saved).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('autopay_consents', (t) => {
    t.integer('payment_id').nullable().alter();
  });
  await knex.schema.alterTable('autopay_consents', (t) => {
    t.string('kind', 10).notNullable().defaultTo('start');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('autopay_consents', (t) => {
    t.dropColumn('kind');
  });
}
