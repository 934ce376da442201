// The console's queues (issue 11): a connection request's history (who moved it, when, with what note) and the
// contract it became; a feedback message's answer, who gave it, when and how (e-mail through the outbox, or a call).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('connection_requests', (t) => {
    t.integer('contract_id').references('contracts.id'); // the contract it became («Договор заключён»)
    t.string('updated_at', 30);
    t.index(['status', 'created_at']);
  });
  await knex.schema.createTable('connection_request_events', (t) => {
    t.increments('id');
    t.integer('request_id').notNullable().references('connection_requests.id');
    t.integer('staff_id').notNullable().references('staff.id');
    t.string('from_status', 20).notNullable();
    t.string('to_status', 20).notNullable(); // the same as from_status for a note
    t.text('note');
    t.string('at', 30).notNullable();
    t.index(['request_id', 'id']);
  });
  await knex.schema.alterTable('feedback', (t) => {
    t.text('answer'); // the e-mail's text, or the note of the call
    t.string('answer_channel', 10); // email | phone
    t.integer('answered_by').references('staff.id');
    t.string('answered_at', 30);
    t.integer('outbox_id').references('outbox.id');
    t.index(['status', 'created_at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
