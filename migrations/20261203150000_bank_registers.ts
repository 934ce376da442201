// Bank registers (issue 11, item 5): a bank's file of payments as it was read (bank_registers), and each payment
// in it (bank_register_rows) with what became of it. A row's payment_key is made from the bank's document (number,
// date, amount, payer account) and is the idempotency key of the ledger entry and the payments row it pays with, so
// the same document in another file never pays twice.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bank_registers', (t) => {
    t.increments('id');
    t.string('file_name', 255).notNullable();
    t.string('format', 10).notNullable(); // 1c | csv
    t.string('encoding', 20).notNullable(); // utf-8 | windows-1251 | cp866
    t.string('sha256', 64).notNullable();
    t.integer('uploaded_by').notNullable().references('staff.id');
    t.string('uploaded_at', 30).notNullable();
    t.string('applied_at', 30); // set once, by the one «Провести» that wins
    t.integer('applied_by').references('staff.id');
    t.integer('rows_count').notNullable().defaultTo(0);
    t.integer('paid_count').notNullable().defaultTo(0); // matched rows in the preview; paid ones after «Провести»
    t.integer('duplicate_count').notNullable().defaultTo(0);
    t.integer('unmatched_count').notNullable().defaultTo(0);
    t.integer('paid_kopecks').notNullable().defaultTo(0);
    t.index(['uploaded_at']);
    t.index(['sha256']);
  });

  await knex.schema.createTable('bank_register_rows', (t) => {
    t.increments('id');
    t.integer('register_id').notNullable().references('bank_registers.id');
    t.integer('line').notNullable(); // the line of the file the payment starts on
    t.string('doc_number', 40).notNullable().defaultTo('');
    t.string('doc_date', 10); // YYYY-MM-DD, null when the bank's date could not be read
    t.string('date_text', 40).notNullable().defaultTo('');
    t.integer('amount_kopecks'); // null when the amount could not be read
    t.string('amount_text', 40).notNullable().defaultTo('');
    t.string('payer_account', 40).notNullable().defaultTo('');
    t.string('payer_name', 300).notNullable().defaultTo('');
    t.string('purpose', 500).notNullable().defaultTo('');
    t.string('contract_number', 20); // as found in the purpose or the register's column
    t.integer('contract_id').references('contracts.id');
    // matched | duplicate | problem (preview); paid | duplicate | unmatched (after «Провести»); assigned | returned
    t.string('status', 20).notNullable();
    t.string('reason', 40); // why a row is unmatched or a duplicate
    t.string('payment_key', 100).notNullable(); // bank:<sha256 of number|date|amount|payer account>
    t.integer('payment_id').references('payments.id');
    t.integer('handled_by').references('staff.id'); // who assigned or returned it
    t.string('handled_at', 30);
    t.string('note', 500);
    t.index(['register_id', 'line']);
    t.index(['status']);
    t.index(['payment_key']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
