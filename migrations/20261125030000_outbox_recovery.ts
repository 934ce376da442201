// The outbox (every SMS and e-mail is a row before it is sent), password recovery attempts and their codes,
// notification subscriptions, pending contact changes, and the contract id of a session for the sessions page.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('outbox', (t) => {
    t.increments('id');
    t.string('channel', 10).notNullable(); // sms | email
    t.string('recipient', 254).notNullable(); // E.164 or an e-mail address
    t.string('subject', 200);
    t.text('body').notNullable(); // a one-time code is masked here once it has gone out
    t.text('headers'); // JSON: extra e-mail headers (List-Unsubscribe ...)
    t.string('topic', 30).notNullable();
    t.integer('contract_id').references('contracts.id');
    t.boolean('one_time_code').notNullable().defaultTo(false); // sent at night too
    t.string('state', 10).notNullable().defaultTo('queued'); // queued | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_try_at', 30).notNullable();
    t.text('last_error');
    t.string('provider_id', 100);
    t.string('idempotency_key', 200).unique();
    t.string('created_at', 30).notNullable();
    t.string('sent_at', 30);
    t.index(['state', 'next_try_at']);
    t.index(['contract_id', 'created_at']);
  });

  await knex.schema.createTable('recovery_attempts', (t) => {
    t.increments('id');
    t.string('token_hash', 64).notNullable().unique(); // sha256 of the token in the page's hidden field
    t.integer('contract_id').references('contracts.id'); // null: unknown contract or no phones
    t.string('ip', 64);
    t.string('state', 10).notNullable().defaultTo('open'); // open | verified | done | ended
    t.integer('wrong_tries').notNullable().defaultTo(0);
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('verified_at', 30);
  });

  await knex.schema.createTable('recovery_codes', (t) => {
    t.increments('id');
    t.integer('attempt_id').notNullable().references('recovery_attempts.id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('phone', 20).notNullable();
    t.string('code_hash', 64).notNullable(); // HMAC-SHA256(pepper, attempt id : phone : code)
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('used_at', 30);
    t.index(['contract_id', 'created_at']);
    t.index(['attempt_id']);
  });

  // Only the choices a subscriber made; a missing row means the default (src/notifications/subscriptions.ts).
  await knex.schema.createTable('subscriptions', (t) => {
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('topic', 30).notNullable();
    t.string('channel', 10).notNullable(); // sms | email | cabinet
    t.boolean('enabled').notNullable();
    t.string('consent_at', 30); // when a marketing topic was turned on (152-FZ: consent kept with its time)
    t.string('updated_at', 30).notNullable();
    t.primary(['contract_id', 'topic', 'channel']);
  });

  await knex.schema.alterTable('sessions', (t) => {
    t.integer('contract_id').index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => t.dropColumn('contract_id'));
  for (const name of ['subscriptions', 'recovery_codes', 'recovery_attempts', 'outbox']) await knex.schema.dropTable(name);
}
