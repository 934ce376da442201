// The office's cash desk (issue 11): a payment taken at the office is a `payments` row (method cash | office_card)
// with the receipt number of the office's cash register and the staff member who took it; a correction is one
// ledger entry (kind 'correction') with a `corrections` row saying who made it and why. The shift report reads both
// by staff member and time.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.string('receipt_number', 40); // the office cash register's receipt; null for card, bank and autopay payments
    t.integer('staff_id').references('staff.id'); // who took it at the office; null for payments made by the subscriber
  });
  await knex.schema.alterTable('payments', (t) => {
    t.index(['staff_id', 'created_at']);
  });
  await knex.schema.createTable('corrections', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.integer('ledger_entry_id').notNullable().unique().references('ledger_entries.id');
    t.integer('staff_id').notNullable().references('staff.id');
    t.integer('amount_kopecks').notNullable(); // signed, as the ledger entry
    t.string('reason', 300).notNullable();
    t.integer('balance_before_kopecks').notNullable();
    t.integer('balance_after_kopecks').notNullable();
    t.string('created_at', 30).notNullable();
    t.index(['staff_id', 'created_at']);
  });
}

export async function down(): Promise<void> {
  // forward only
}
