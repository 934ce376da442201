// A new phone or e-mail waits here until the subscriber proves it is theirs: a code sent to the phone, a link sent
// to the address. Only the hash of the code or the link's token is kept.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('contact_changes', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('kind', 10).notNullable(); // phone | email
    t.string('value', 254).notNullable(); // E.164 or the address
    t.string('secret_hash', 64).notNullable().unique(); // HMAC of the code (phone) or sha256 of the link token (e-mail)
    t.integer('wrong_tries').notNullable().defaultTo(0);
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('confirmed_at', 30);
    t.string('cancelled_at', 30);
    t.index(['contract_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('contact_changes');
}
