// First cut of the schema: towns, the provider's contacts, tariffs, contracts and their phones, the ledger,
// payments, staff, sessions, login counters, public requests and the audit log. Later issues extend it.
import type { Knex } from 'knex';
import { isPostgres } from '../src/engine';

/**
 * The ledger is append-only: an UPDATE or DELETE of a ledger entry fails in the database itself, whatever the code
 * does. The two engines' triggers side by side (test/unit/ledger.test.ts runs on both engines: npm test).
 */
async function ledgerAppendOnly(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw(`CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'ledger_entries is append-only'; END $$`);
    await knex.raw(`CREATE TRIGGER ledger_entries_no_update_or_delete BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);
    await knex.raw(`CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_append_only()`);
    return;
  }
  await knex.raw(`CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END`);
  await knex.raw(`CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END`);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('towns', (t) => {
    t.increments('id');
    t.string('slug', 40).notNullable().unique();
    t.string('name', 100).notNullable();
    t.integer('position').notNullable().defaultTo(0);
  });

  // Contact numbers and offices shown in the footer and on «Контакты».
  await knex.schema.createTable('contact_phones', (t) => {
    t.increments('id');
    t.integer('town_id').references('towns.id');
    t.string('label', 200).notNullable();
    t.string('phone', 20).notNullable(); // E.164
    t.boolean('in_footer').notNullable().defaultTo(false);
    t.integer('position').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('offices', (t) => {
    t.increments('id');
    t.integer('town_id').notNullable().references('towns.id');
    t.string('address', 300).notNullable();
    t.string('hours', 300).notNullable();
    t.integer('position').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('tariffs', (t) => {
    t.increments('id');
    t.string('code', 40).notNullable().unique();
    t.string('name', 100).notNullable();
    t.string('segment', 20).notNullable(); // flat | house | business
    t.integer('internet_mbps'); // null: no Internet in the tariff
    t.string('tv_package', 100); // null: no TV
    t.integer('tv_channels');
    t.integer('monthly_fee_kopecks').notNullable();
    t.boolean('archived').notNullable().defaultTo(false);
    t.integer('position').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('tariff_towns', (t) => {
    t.integer('tariff_id').notNullable().references('tariffs.id');
    t.integer('town_id').notNullable().references('towns.id');
    t.primary(['tariff_id', 'town_id']);
  });

  await knex.schema.createTable('contracts', (t) => {
    t.increments('id');
    t.string('number', 12).notNullable().unique(); // the login
    t.string('name', 200).notNullable();
    t.integer('town_id').notNullable().references('towns.id');
    t.string('address', 300).notNullable();
    t.string('email', 254);
    t.string('password_hash', 100).notNullable();
    t.string('status', 20).notNullable().defaultTo('active'); // active | blocked
    t.integer('tariff_id').notNullable().references('tariffs.id');
    // Cached sum of the ledger; changed only in the same transaction as the entry that changes it.
    t.integer('balance_kopecks').notNullable().defaultTo(0);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  await knex.schema.createTable('contract_phones', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id').onDelete('CASCADE');
    t.string('phone', 20).notNullable(); // E.164
    t.string('created_at', 30).notNullable();
    t.unique(['contract_id', 'phone']);
  });

  // Append-only: a mistake is mended by a new entry (correction, refund), never by an update or delete.
  await knex.schema.createTable('ledger_entries', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('kind', 30).notNullable(); // payment | charge | promised_credit | promised_repayment | correction | refund
    t.integer('amount_kopecks').notNullable(); // signed: money in > 0, money out < 0
    t.string('description', 300).notNullable();
    t.string('period_from', 10); // provider days a charge covers, YYYY-MM-DD
    t.string('period_to', 10);
    t.string('idempotency_key', 200).notNullable().unique();
    t.string('occurred_at', 30).notNullable(); // UTC ISO
    t.index(['contract_id', 'occurred_at']);
  });
  await ledgerAppendOnly(knex);

  await knex.schema.createTable('payments', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.integer('amount_kopecks').notNullable();
    t.string('method', 20).notNullable(); // card | autopay | office | bank
    t.string('status', 20).notNullable(); // pending | succeeded | canceled | refunded
    t.integer('ledger_entry_id').references('ledger_entries.id');
    t.string('idempotency_key', 200).notNullable().unique();
    t.string('created_at', 30).notNullable();
    t.index(['contract_id', 'created_at']);
  });

  await knex.schema.createTable('staff', (t) => {
    t.increments('id');
    t.string('login', 60).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('password_hash', 100).notNullable();
    t.string('role', 20).notNullable(); // admin | operator | cashier | support
    t.boolean('active').notNullable().defaultTo(true);
    t.string('created_at', 30).notNullable();
  });

  // The table connect-session-knex reads and writes (created here so that migrations own the schema).
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid').primary();
    t.json('sess').notNullable();
    t.timestamp('expired').notNullable().index();
  });

  // Counters of rate-limiter-flexible (RateLimiterSQLite), kept across restarts.
  await knex.schema.createTable('rate_limits', (t) => {
    t.text('key').primary();
    t.integer('points').notNullable().defaultTo(0);
    if (isPostgres(knex)) t.bigInteger('expire'); // ms since 1970: rate-limiter-flexible's PostgreSQL store's type
    else t.integer('expire'); // SQLite's integer is 64-bit
  });

  // «Подключиться» and «Обратная связь» from visitors; operators work them in a later issue.
  await knex.schema.createTable('connection_requests', (t) => {
    t.increments('id');
    t.string('phone', 20).notNullable();
    t.string('name', 200);
    t.string('address', 300);
    t.string('status', 20).notNullable().defaultTo('new');
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('feedback', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    t.string('phone', 20).notNullable();
    t.string('email', 254);
    t.text('question').notNullable();
    t.string('status', 20).notNullable().defaultTo('new');
    t.string('created_at', 30).notNullable();
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id');
    t.string('at', 30).notNullable();
    t.string('actor', 20).notNullable(); // subscriber | staff | system | visitor
    t.integer('actor_id');
    t.integer('contract_id').references('contracts.id');
    t.string('action', 60).notNullable();
    t.string('ip', 64);
    t.text('detail');
    t.index(['contract_id', 'at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
