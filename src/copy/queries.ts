// Every query of the copy from SQLite to PostgreSQL: what each side holds (tables, columns, keys, migrations), the
// pages read from the source, the batches written to the target, the sequences, and the counts and sums compared.
import { rawRows, type Db, type Trx } from '../db';

/** knex's own bookkeeping (knex_migrations, knex_migrations_lock): each side keeps its own, never copied. */
export const isMigrationTable = (table: string) => /^knex_migrations/.test(table);

// --- what a database holds ---------------------------------------------------------------------------------------

/**
 * SQLite: the tables, without SQLite's own (sqlite_sequence, sqlite_stat1 …) and without SQLite-only search indexes
 * (the FTS5 table contract_search and its shadow tables: PostgreSQL has its own indexes instead).
 */
export async function sqliteTables(db: Db): Promise<string[]> {
  const rows = await rawRows<{ name: string }>(
    db,
    `select name from pragma_table_list where schema = 'main' and type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name`,
  );
  return rows.map((r) => r.name);
}

/** SQLite: a table's columns, in their order. */
export async function sqliteColumns(db: Db, table: string): Promise<string[]> {
  return (await rawRows<{ name: string }>(db, 'select name from pragma_table_info(?) order by cid', [table])).map((r) => r.name);
}

/** PostgreSQL: the tables of the current schema (public unless search_path says otherwise). */
export async function postgresTables(db: Db | Trx): Promise<string[]> {
  const rows = await rawRows<{ name: string }>(
    db,
    `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  return rows.map((r) => r.name);
}

/** A column of the target: its type decides how a SQLite value is written (0/1 → boolean, JSON text → json). */
export type TargetColumn = { table: string; column: string; dataType: string; serial: boolean };

export async function postgresColumns(db: Db | Trx): Promise<TargetColumn[]> {
  const rows = await rawRows<{ table_name: string; column_name: string; data_type: string; serial: boolean }>(
    db,
    `select table_name, column_name, data_type, coalesce(column_default like 'nextval(%', false) as serial
       from information_schema.columns where table_schema = current_schema() order by table_name, ordinal_position`,
  );
  return rows.map((r) => ({ table: r.table_name, column: r.column_name, dataType: r.data_type, serial: Boolean(r.serial) }));
}

/** PostgreSQL: each table's primary key columns, in key order. */
export async function postgresPrimaryKeys(db: Db | Trx): Promise<Map<string, string[]>> {
  const rows = await rawRows<{ table_name: string; column_name: string }>(
    db,
    `select k.table_name, k.column_name from information_schema.table_constraints c
       join information_schema.key_column_usage k on k.constraint_schema = c.constraint_schema and k.constraint_name = c.constraint_name and k.table_name = c.table_name
      where c.table_schema = current_schema() and c.constraint_type = 'PRIMARY KEY' order by k.table_name, k.ordinal_position`,
  );
  const keys = new Map<string, string[]>();
  for (const r of rows) keys.set(r.table_name, [...(keys.get(r.table_name) ?? []), r.column_name]);
  return keys;
}

/** PostgreSQL: which table references which (foreign keys of the current schema), for the order of the copy. */
export async function postgresForeignKeys(db: Db | Trx): Promise<{ table: string; references: string }[]> {
  return rawRows(
    db,
    `select distinct t.relname as "table", r.relname as "references" from pg_constraint c
       join pg_class t on t.oid = c.conrelid join pg_class r on r.oid = c.confrelid join pg_namespace n on n.oid = t.relnamespace
      where c.contype = 'f' and n.nspname = current_schema() order by 1, 2`,
  );
}

/** The migrations recorded in the database (knex_migrations), oldest first; none when the table is not there. */
export async function appliedMigrations(db: Db): Promise<string[]> {
  if (!(await db.schema.hasTable('knex_migrations'))) return [];
  return db('knex_migrations').orderBy('id').pluck('name');
}

export async function hasRows(db: Db | Trx, table: string): Promise<boolean> {
  return (await db(table).select(db.raw('1 as one')).limit(1)).length > 0;
}

export async function rowCount(db: Db | Trx, table: string): Promise<number> {
  const row = await db(table).count({ n: '*' }).first<{ n: number | string }>();
  return Number(row?.n ?? 0);
}

// --- reading the source -------------------------------------------------------------------------------------------

/**
 * SQLite: a read transaction (deferred BEGIN, not the app's IMMEDIATE one): under WAL every read after it sees the
 * database as it was at the first one, while the app's writers go on. The copy and its check read one state.
 */
export async function beginSnapshot(db: Db): Promise<void> {
  await db.raw('begin');
}
export async function endSnapshot(db: Db): Promise<void> {
  await db.raw('commit');
}

/** One page of a source table in primary-key order, after the key `after` (keyset paging: nothing skipped again). */
export function readPage(db: Db, table: string, columns: string[], key: string[], after: unknown[] | null, limit: number): Promise<Record<string, unknown>[]> {
  let q = db(table).select(columns);
  if (after) q = q.whereRaw(`(${key.map(() => '??').join(', ')}) > (${key.map(() => '?').join(', ')})`, [...key, ...(after as string[])]);
  return q.orderBy(key.map((column) => ({ column }))).limit(limit);
}

// --- writing the target -------------------------------------------------------------------------------------------

/**
 * PostgreSQL: rows written as one JSON parameter, each value turned into its column's type by the table's own row
 * type (json_populate_recordset): one round trip per batch, ids kept as they are.
 */
export async function insertRows(trx: Trx, table: string, columns: string[], rows: Record<string, unknown>[]): Promise<void> {
  await trx.raw('insert into ?? (??) select ?? from json_populate_recordset(null::??, ?::json)', [table, columns, columns, table, JSON.stringify(rows)]);
}

// --- the check ----------------------------------------------------------------------------------------------------

export type ContractMoney = { id: number; number: string; balance: number; ledger: number };

/** Each contract's cached balance beside the sum of its ledger, by id (the same statement on both engines). */
export async function contractMoney(db: Db): Promise<ContractMoney[]> {
  const rows = await rawRows<{ id: number; number: string; balance: number | string; ledger: number | string }>(
    db,
    `select c.id, c.number, c.balance_kopecks as balance, coalesce(sum(l.amount_kopecks), 0) as ledger
       from contracts c left join ledger_entries l on l.contract_id = c.id group by c.id, c.number, c.balance_kopecks order by c.id`,
  );
  return rows.map((r) => ({ id: Number(r.id), number: String(r.number), balance: Number(r.balance), ledger: Number(r.ledger) }));
}
