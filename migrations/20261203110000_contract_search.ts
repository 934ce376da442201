// The console's contract search (issue 11) and «Открыть кабинет абонента».
// - Search indexes, one kind per engine (measured on 100 000 contracts: docs/benchmarks.md):
//   PostgreSQL: pg_trgm GIN indexes on lower(name), lower(address) and the phones, and a text_pattern_ops index for
//   a number prefix. pg_trgm is a trusted extension (PostgreSQL 13+): any owner of the database may create it; where
//   it is missing the search still answers (LIKE without an index), only slower.
//   SQLite: an FTS5 trigram table (case-insensitive with Unicode folding, so Cyrillic too: SQLite's lower() is
//   ASCII-only) with the name, the address and the phones of each contract, kept in step by triggers, so every
//   writer of contracts (seeds, imports, other features) keeps it right without knowing it exists.
// - cabinet_views: a staff member's one-time claim to open a subscriber's cabinet read-only (only the token's sha256).
import type { Knex } from 'knex';
import { isPostgres } from '../src/engine';

async function postgresIndexes(knex: Knex): Promise<void> {
  const available = await knex.raw(`select 1 from pg_available_extensions where name = 'pg_trgm'`);
  if (available.rows.length) {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await knex.raw('CREATE INDEX contracts_name_trgm ON contracts USING gin (lower(name) gin_trgm_ops)');
    await knex.raw('CREATE INDEX contracts_address_trgm ON contracts USING gin (lower(address) gin_trgm_ops)');
    await knex.raw('CREATE INDEX contract_phones_phone_trgm ON contract_phones USING gin (phone gin_trgm_ops)');
  }
  await knex.raw('CREATE INDEX contracts_number_prefix ON contracts (number text_pattern_ops)');
}

/** The row of contract_search for contract `id` (an expression over NEW/OLD in a trigger), made afresh. */
const refill = (id: string) => `
  DELETE FROM contract_search WHERE rowid = ${id};
  INSERT INTO contract_search (rowid, name, address, phones)
    SELECT c.id, c.name, c.address, coalesce((SELECT group_concat(p.phone, ' ') FROM contract_phones p WHERE p.contract_id = c.id), '')
    FROM contracts c WHERE c.id = ${id};`;

async function sqliteIndexes(knex: Knex): Promise<void> {
  await knex.raw(`CREATE VIRTUAL TABLE contract_search USING fts5(name, address, phones, tokenize = 'trigram')`);
  await knex.raw(`INSERT INTO contract_search (rowid, name, address, phones)
    SELECT c.id, c.name, c.address, coalesce((SELECT group_concat(p.phone, ' ') FROM contract_phones p WHERE p.contract_id = c.id), '')
    FROM contracts c`);
  await knex.raw(`CREATE TRIGGER contract_search_contract_insert AFTER INSERT ON contracts BEGIN ${refill('NEW.id')} END`);
  await knex.raw(`CREATE TRIGGER contract_search_contract_update AFTER UPDATE OF name, address ON contracts BEGIN ${refill('NEW.id')} END`);
  await knex.raw(`CREATE TRIGGER contract_search_contract_delete AFTER DELETE ON contracts BEGIN DELETE FROM contract_search WHERE rowid = OLD.id; END`);
  await knex.raw(`CREATE TRIGGER contract_search_phone_insert AFTER INSERT ON contract_phones BEGIN ${refill('NEW.contract_id')} END`);
  await knex.raw(`CREATE TRIGGER contract_search_phone_update AFTER UPDATE ON contract_phones BEGIN ${refill('OLD.contract_id')} ${refill('NEW.contract_id')} END`);
  await knex.raw(`CREATE TRIGGER contract_search_phone_delete AFTER DELETE ON contract_phones BEGIN ${refill('OLD.contract_id')} END`);
}

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) await postgresIndexes(knex);
  else await sqliteIndexes(knex);

  await knex.schema.createTable('cabinet_views', (t) => {
    t.increments('id');
    t.integer('staff_id').notNullable().references('staff.id');
    t.integer('contract_id').notNullable().references('contracts.id');
    t.string('token_hash', 64).notNullable().unique(); // sha256 of the one-time token in the redirect
    t.string('created_at', 30).notNullable();
    t.string('claimed_at', 30); // set once, by a conditional update
    t.string('ended_at', 30);
    t.index(['contract_id', 'created_at']);
  });
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
