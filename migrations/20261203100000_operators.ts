// The operators' console (issue 11): staff sign-in times, and the audit log made append-only like the ledger, with
// the values before and after a staff action in their own columns.
import type { Knex } from 'knex';
import { isPostgres } from '../src/engine';

async function auditAppendOnly(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
    await knex.raw(`CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await knex.raw(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    return;
  }
  await knex.raw(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`);
  await knex.raw(`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('staff', (t) => {
    t.string('last_sign_in_at', 30);
    t.string('password_changed_at', 30);
    t.string('disabled_at', 30);
  });
  await knex.schema.alterTable('audit_log', (t) => {
    t.text('before'); // JSON: the values a staff action changed, as they were
    t.text('after'); // JSON: ... and as it left them
    t.index(['actor', 'actor_id', 'at']);
    t.index(['action', 'at']);
    t.index(['at']);
  });
  await auditAppendOnly(knex);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
