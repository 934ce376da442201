// Online payment by card (issue 4): what our payment row knows about the gateway's payment, refunds, the
// built-in sandbox gateway's own tables, and automatic payment.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.string('gateway', 20); // sandbox | yookassa; null for office and bank payments
    // The gateway's payment id; the ledger entry's key is derived from it ("gateway_payment:<gateway>:<id>").
    t.string('gateway_payment_id', 64);
    t.string('confirmation_url', 500);
    t.string('receipt_contact', 254); // the e-mail or phone (79...) the 54-FZ receipt goes to
    t.text('receipt'); // the receipt object sent to the gateway, JSON
    t.string('card_mask', 40); // e.g. "Visa •••• 4242", from the gateway's answer
    t.integer('refunded_kopecks').notNullable().defaultTo(0);
    t.string('problem', 40); // e.g. amount_mismatch: the gateway's answer did not match our row; nothing credited
    t.integer('autopay_id');
    t.string('settled_at', 30);
  });
  await knex.schema.alterTable('payments', (t) => {
    t.unique(['gateway', 'gateway_payment_id']);
    t.index(['status', 'created_at']);
  });

  // A refund started by staff (npm run payments -- refund): one row and one 'refund' ledger entry per gateway refund.
  await knex.schema.createTable('payment_refunds', (t) => {
    t.increments('id');
    t.integer('payment_id').notNullable().references('payments.id');
    t.string('gateway_refund_id', 64).notNullable();
    t.integer('amount_kopecks').notNullable();
    t.integer('ledger_entry_id').references('ledger_entries.id');
    t.string('created_at', 30).notNullable();
    t.unique(['payment_id', 'gateway_refund_id']);
  });

  // The sandbox gateway: its payments and refunds, as a gateway would keep them. No money moves.
  await knex.schema.createTable('sandbox_payments', (t) => {
    t.string('id', 64).primary();
    t.string('idempotence_key', 100).notNullable().unique();
    t.integer('amount_kopecks').notNullable();
    t.string('currency', 3).notNullable();
    t.string('description', 128).notNullable();
    t.string('return_url', 500);
    t.string('status', 30).notNullable(); // pending | succeeded | canceled
    t.string('cancellation_reason', 60);
    t.boolean('save_payment_method').notNullable().defaultTo(false);
    t.string('payment_method_id', 64); // the saved card this payment created or was charged from
    t.text('metadata').notNullable().defaultTo('{}');
    t.text('receipt');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  await knex.schema.createTable('sandbox_refunds', (t) => {
    t.string('id', 64).primary();
    t.string('idempotence_key', 100).notNullable().unique();
    t.string('payment_id', 64).notNullable().references('sandbox_payments.id');
    t.integer('amount_kopecks').notNullable();
    t.string('created_at', 30).notNullable();
  });
  // Saved sandbox cards: a test card can be refused for good (status refused) to try autopayment's failure paths.
  await knex.schema.createTable('sandbox_cards', (t) => {
    t.string('id', 64).primary();
    t.string('last4', 4).notNullable();
    t.string('status', 20).notNullable(); // ok | refused | failing
    t.string('created_at', 30).notNullable();
  });

  // «Автоматический платёж»: one row per contract. The terms accepted are kept word for word with the time.
  await knex.schema.createTable('autopay', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().unique().references('contracts.id');
    t.string('status', 20).notNullable(); // active | off
    t.string('rule', 20).notNullable(); // threshold | monthly
    t.integer('amount_kopecks'); // threshold: top up this much
    t.integer('threshold_kopecks'); // threshold: when the balance falls below this
    t.integer('day'); // monthly: the day of the month (1-28)
    t.string('gateway', 20).notNullable();
    t.string('payment_method_id', 64).notNullable();
    t.string('card_mask', 40).notNullable();
    t.string('terms_version', 20).notNullable();
    t.text('terms_text').notNullable();
    t.string('terms_accepted_at', 30).notNullable();
    t.string('off_reason', 40); // subscriber | card_refused
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  // A subscriber's consent to save the card, before the first payment that saves it.
  await knex.schema.createTable('autopay_consents', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.integer('payment_id').notNullable().unique().references('payments.id');
    t.string('rule', 20).notNullable();
    t.integer('amount_kopecks');
    t.integer('threshold_kopecks');
    t.integer('day');
    t.string('terms_version', 20).notNullable();
    t.text('terms_text').notNullable();
    t.string('accepted_at', 30).notNullable();
  });
  // One charge per (contract, period): a period is "2026-12" (monthly) or "2026-12-03" (threshold, a provider day).
  await knex.schema.createTable('autopay_charges', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('period', 10).notNullable();
    t.integer('amount_kopecks').notNullable();
    t.string('status', 20).notNullable(); // pending | succeeded | failed | refused
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 30);
    t.integer('payment_id').references('payments.id'); // the payment row of the latest attempt
    t.string('last_error', 200);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['contract_id', 'period']);
    t.index(['status', 'next_attempt_at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
