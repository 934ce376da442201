// The billing engine: credit limits, status history, extra services, the jobs table, finished charge days,
// promised payments, voluntary blocks and tariff changes.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contracts', (t) => {
    // Blocked when the balance falls below minus this (0: below zero).
    t.integer('credit_limit_kopecks').notNullable().defaultTo(0);
  });

  // Every change of contracts.status, with its cause (status: active | blocked | paused).
  await knex.schema.createTable('contract_status_changes', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('from_status', 20).notNullable();
    t.string('to_status', 20).notNullable();
    t.string('cause', 40).notNullable();
    t.integer('ledger_entry_id').references('ledger_entries.id');
    t.string('at', 30).notNullable();
    t.index(['contract_id', 'at']);
  });

  await knex.schema.createTable('services', (t) => {
    t.increments('id');
    t.string('code', 40).notNullable().unique();
    t.string('name', 100).notNullable();
    t.integer('monthly_fee_kopecks').notNullable();
    t.boolean('archived').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('contract_services', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.integer('service_id').notNullable().references('services.id');
    t.string('from_day', 10).notNullable();
    t.string('to_day', 10); // inclusive; null: until further notice
    t.index(['contract_id']);
  });

  // Durable work for the in-process scheduler: a row per thing to do, done at most once per idempotency key.
  await knex.schema.createTable('jobs', (t) => {
    t.increments('id');
    t.string('kind', 40).notNullable();
    t.string('run_at', 30).notNullable();
    t.text('payload').notNullable().defaultTo('{}');
    t.string('idempotency_key', 200).notNullable().unique();
    t.string('status', 20).notNullable().defaultTo('pending'); // pending | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.string('created_at', 30).notNullable();
    t.string('finished_at', 30);
    t.index(['status', 'run_at']);
  });

  // A provider day whose charge run has finished (in the same transaction as its charges).
  await knex.schema.createTable('charge_days', (t) => {
    t.string('day', 10).primary();
    t.integer('contracts_charged').notNullable();
    t.integer('total_kopecks').notNullable();
    t.string('finished_at', 30).notNullable();
  });

  await knex.schema.createTable('promised_payments', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.integer('amount_kopecks').notNullable();
    t.string('taken_at', 30).notNullable();
    t.string('due_at', 30).notNullable();
    t.string('status', 20).notNullable(); // open | repaid | expired
    t.boolean('repaid_late').notNullable().defaultTo(false);
    t.string('settled_at', 30);
    t.integer('credit_entry_id').references('ledger_entries.id');
    t.integer('repayment_entry_id').references('ledger_entries.id');
    t.index(['contract_id', 'taken_at']);
  });

  await knex.schema.createTable('voluntary_blocks', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('from_day', 10).notNullable();
    t.string('to_day', 10).notNullable(); // inclusive
    t.string('status', 20).notNullable(); // scheduled | active | finished | cancelled
    t.string('created_at', 30).notNullable();
    t.string('ended_at', 30);
    t.index(['contract_id', 'from_day']);
  });

  await knex.schema.createTable('tariff_changes', (t) => {
    t.increments('id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.integer('from_tariff_id').notNullable().references('tariffs.id');
    t.integer('to_tariff_id').notNullable().references('tariffs.id');
    t.string('effective_day', 10).notNullable();
    t.string('status', 20).notNullable(); // scheduled | applied | cancelled
    t.string('created_at', 30).notNullable();
    t.string('settled_at', 30);
    t.index(['contract_id', 'status']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
