// Moving over: a SQLite database copied into an empty PostgreSQL one (`kabinet copy-to-postgres --to postgres://…`),
// then checked. The rules are in CONTEXT.md beside this file.
import { inTransaction, isPostgres, knownMigrations, migrate, setSequencePastMax, type Db, type Trx } from '../db';
import * as q from './queries';

/** The copy did not start: the reason is for the operator; nothing was written to either side. */
export class CopyRefused extends Error {
  override name = 'CopyRefused';
}

export type TableCount = { table: string; source: number; target: number };
export type MoneyMismatch = { number: string; source: { balance: number; ledger: number } | null; target: { balance: number; ledger: number } | null };
export type CopyReport = {
  tables: TableCount[];
  contracts: number;
  /** Contracts whose balance differs from their ledger on either side, or whose money differs between the sides. */
  moneyMismatches: MoneyMismatch[];
  ok: boolean;
};
export type CopyOptions = { batchRows?: number; onTable?: (table: string, rows: number) => void };

const DEFAULT_BATCH_ROWS = 5000;


const listed = (names: string[], max = 5) => names.slice(0, max).join(', ') + (names.length > max ? ` and ${names.length - max} more` : '');

/** The source must be at exactly this version's migrations: no pending one (it would change the schema), no newer one. */
async function checkSource(source: Db, known: string[]): Promise<void> {
  const applied = await q.appliedMigrations(source);
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length) throw new CopyRefused(`the source database has migrations this version does not know (${listed(unknown)}): copy it with the Kabinet version that migrated it`);
  const pending = known.filter((name) => !applied.includes(name));
  if (pending.length) {
    throw new CopyRefused(`the source database has ${pending.length} pending migration(s) (${listed(pending)}): apply them first (\`kabinet migrate\` with DATABASE_FILE set to it), then copy`);
  }
}

/** The target must be empty (no row in any table but knex's own) and not migrated by a newer version. */
async function checkTarget(target: Db, known: string[]): Promise<void> {
  const unknown = (await q.appliedMigrations(target)).filter((name) => !known.includes(name));
  if (unknown.length) throw new CopyRefused(`the target database has migrations this version does not know (${listed(unknown)}): it was migrated by a newer Kabinet`);
  const filled: string[] = [];
  for (const table of await q.postgresTables(target)) {
    if (!q.isMigrationTable(table) && (await q.hasRows(target, table))) filled.push(table);
  }
  if (filled.length) throw new CopyRefused(`the target database is not empty (rows in ${listed(filled)}): copy only into an empty database`);
}

/**
 * The tables in foreign-key order: every table after the tables it references (ties by name, so the order is the
 * same every time). Derived from the target's own constraints, so a new table or reference needs no list kept here.
 */
export function foreignKeyOrder(tables: string[], references: { table: string; references: string }[]): string[] {
  const needs = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const r of references) {
    if (r.table !== r.references && needs.has(r.table) && needs.has(r.references)) needs.get(r.table)!.add(r.references);
  }
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < tables.length) {
    const ready = [...needs.keys()].filter((t) => !done.has(t) && [...needs.get(t)!].every((n) => done.has(n))).sort();
    if (ready.length === 0) throw new Error(`the foreign keys between ${listed([...needs.keys()].filter((t) => !done.has(t)))} form a cycle: no order to copy them in`);
    for (const t of ready) {
      order.push(t);
      done.add(t);
    }
  }
  return order;
}

/** How one SQLite value is written to a column of this PostgreSQL type. */
function converter(column: q.TargetColumn, table: string): ((v: unknown) => unknown) | null {
  switch (column.dataType) {
    case 'boolean': // SQLite keeps 0/1
      return (v) => (v === null ? null : Boolean(v));
    case 'json':
    case 'jsonb': // SQLite keeps the JSON text: parsed here, so a malformed value stops the copy with its place
      return (v) => {
        if (typeof v !== 'string') return v;
        try {
          return JSON.parse(v);
        } catch {
          throw new Error(`${table}.${column.column} holds text that is not JSON: ${v.slice(0, 60)}`);
        }
      };
    case 'timestamp with time zone':
    case 'timestamp without time zone': // ISO text, or milliseconds since 1970 from an older writer
      return (v) => (typeof v === 'number' ? new Date(v).toISOString() : v);
    default:
      return null;
  }
}

type TablePlan = { table: string; columns: string[]; key: string[]; convert: [string, (v: unknown) => unknown][]; serial: string[] };

async function plan(source: Db, target: Db): Promise<TablePlan[]> {
  const targetTables = (await q.postgresTables(target)).filter((t) => !q.isMigrationTable(t));
  const sourceTables = (await q.sqliteTables(source)).filter((t) => !q.isMigrationTable(t));
  const onlySource = sourceTables.filter((t) => !targetTables.includes(t));
  const onlyTarget = targetTables.filter((t) => !sourceTables.includes(t));
  if (onlySource.length || onlyTarget.length) {
    throw new Error(`the two schemas differ after migrating: ${[onlySource.length ? `only in SQLite: ${listed(onlySource)}` : '', onlyTarget.length ? `only in PostgreSQL: ${listed(onlyTarget)}` : ''].filter(Boolean).join('; ')}`);
  }
  const columns = await q.postgresColumns(target);
  const keys = await q.postgresPrimaryKeys(target);
  const order = foreignKeyOrder(targetTables, await q.postgresForeignKeys(target));
  const plans: TablePlan[] = [];
  for (const table of order) {
    const targetColumns = columns.filter((c) => c.table === table);
    const sourceColumns = await q.sqliteColumns(source, table);
    const names = targetColumns.map((c) => c.column);
    const missing = [...names.filter((c) => !sourceColumns.includes(c)), ...sourceColumns.filter((c) => !names.includes(c))];
    if (missing.length) throw new Error(`the columns of ${table} differ between SQLite and PostgreSQL (${listed(missing)})`);
    const key = keys.get(table);
    if (!key?.length) throw new Error(`${table} has no primary key on PostgreSQL: the copy pages through each table by it`);
    const convert = targetColumns.flatMap((c) => {
      const f = converter(c, table);
      return f ? [[c.column, f] as [string, (v: unknown) => unknown]] : [];
    });
    plans.push({ table, columns: names, key, convert, serial: targetColumns.filter((c) => c.serial).map((c) => c.column) });
  }
  return plans;
}

/** A table in pages: the next page is read from SQLite while PostgreSQL writes the last one. */
async function copyTable(source: Db, trx: Trx, p: TablePlan, batchRows: number): Promise<number> {
  let after: unknown[] | null = null;
  let copied = 0;
  let writing: Promise<void> | null = null;
  for (;;) {
    const rows = await q.readPage(source, p.table, p.columns, p.key, after, batchRows);
    if (writing) await writing;
    if (rows.length === 0) break;
    for (const row of rows) for (const [column, f] of p.convert) row[column] = f(row[column]);
    writing = q.insertRows(trx, p.table, p.columns, rows);
    writing.catch(() => undefined); // awaited above, after the next read: not an unhandled rejection meanwhile
    copied += rows.length;
    const last = rows[rows.length - 1];
    after = p.key.map((k) => last[k]);
    if (rows.length < batchRows) break;
  }
  if (writing) await writing;
  for (const column of p.serial) await setSequencePastMax(trx, p.table, column);
  return copied;
}

/** Row counts on both sides, and every contract's balance against its ledger on both sides and between them. */
async function check(source: Db, target: Db, tables: string[]): Promise<CopyReport> {
  const counts: TableCount[] = [];
  for (const table of tables) counts.push({ table, source: await q.rowCount(source, table), target: await q.rowCount(target, table) });
  const before = new Map((await q.contractMoney(source)).map((c) => [c.number, c]));
  const after = new Map((await q.contractMoney(target)).map((c) => [c.number, c]));
  const moneyMismatches: MoneyMismatch[] = [];
  for (const number of new Set([...before.keys(), ...after.keys()])) {
    const s = before.get(number);
    const t = after.get(number);
    const same = s && t && s.balance === s.ledger && t.balance === t.ledger && s.balance === t.balance && s.ledger === t.ledger && s.id === t.id;
    if (!same) moneyMismatches.push({ number, source: s ? { balance: s.balance, ledger: s.ledger } : null, target: t ? { balance: t.balance, ledger: t.ledger } : null });
  }
  const ok = moneyMismatches.length === 0 && counts.every((c) => c.source === c.target);
  return { tables: counts, contracts: Math.max(before.size, after.size), moneyMismatches, ok };
}

/**
 * Copies the SQLite database `source` into the PostgreSQL database `target`, which must be empty: migrated first
 * (the same migrations), then every table but knex's own in foreign-key order, in batches, in ONE transaction (a
 * failure leaves the target as empty as it was, migrated); each serial sequence set past its largest id. Then checks.
 */
export async function copyToPostgres(source: Db, target: Db, o: CopyOptions = {}): Promise<CopyReport> {
  if (isPostgres(source) || !isPostgres(target)) throw new Error('copyToPostgres copies a SQLite database into a PostgreSQL one');
  const known = await knownMigrations();
  await checkSource(source, known);
  await checkTarget(target, known);
  await migrate(target);
  const plans = await plan(source, target);
  await q.beginSnapshot(source);
  try {
    await inTransaction(target, async (trx) => {
      for (const p of plans) {
        const rows = await copyTable(source, trx, p, o.batchRows ?? DEFAULT_BATCH_ROWS);
        o.onTable?.(p.table, rows);
      }
    });
    return await check(source, target, plans.map((p) => p.table));
  } finally {
    await q.endSnapshot(source);
  }
}
