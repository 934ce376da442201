// What rebuilds a card payment's create request word for word: reconciliation sends it again with the same
// Idempotence-Key, and YooKassa answers 400 to the same key with another body. save_payment_method (a first payment
// of autopayment) and payment_method_id (an autopayment charge: the card it was meant for) are kept on the row.
//
// A correction to 20261125020000_online_payments: autopay_charges.status is
// pending | succeeded | failed | refused | skipped (skipped: nothing to pay for the period, e.g. a paused contract).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.boolean('save_payment_method').notNullable().defaultTo(false);
    t.string('payment_method_id', 64);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropColumn('payment_method_id');
    t.dropColumn('save_payment_method');
  });
}
