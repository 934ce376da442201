// `kabinet copy-to-postgres --to postgres://…`: the SQLite database at DATABASE_FILE copied into an empty PostgreSQL
// database, then the counts and the money compared and printed. Runs without the usual boot: the source must not
// be migrated on the way (a source with pending migrations is refused).
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { checkDatabase, checkDatabaseFile, isPostgresUrl, openDb, redactUrl } from '../db';
import { formatMoneyPlain } from '../lib/money';
import { copyToPostgres, type CopyReport } from './service';

export const COPY_USAGE = 'usage: copy-to-postgres --to postgres://user:password@host:5432/database [--batch ROWS] (copies DATABASE_FILE)';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const count = (n: number) => n.toLocaleString('en-US');

/** The report as lines: a table of counts per table, the money check, and the verdict. */
export function reportLines(r: CopyReport): string[] {
  const width = Math.max(5, ...r.tables.map((t) => t.table.length));
  const lines = [`${pad('table', width)}  ${pad('SQLite', 10, true)}  ${pad('PostgreSQL', 10, true)}`];
  for (const t of r.tables) lines.push(`${pad(t.table, width)}  ${pad(count(t.source), 10, true)}  ${pad(count(t.target), 10, true)}${t.source === t.target ? '' : '  MISMATCH'}`);
  const rows = r.tables.reduce((n, t) => n + t.target, 0);
  lines.push(`${pad('total', width)}  ${pad(count(r.tables.reduce((n, t) => n + t.source, 0)), 10, true)}  ${pad(count(rows), 10, true)}`);
  for (const m of r.moneyMismatches.slice(0, 10)) {
    const side = (s: { balance: number; ledger: number } | null) => (s ? `balance ${formatMoneyPlain(s.balance)}, ledger ${formatMoneyPlain(s.ledger)}` : 'missing');
    lines.push(`contract ${m.number}: SQLite ${side(m.source)}; PostgreSQL ${side(m.target)}`);
  }
  if (r.moneyMismatches.length > 10) lines.push(`… and ${r.moneyMismatches.length - 10} more contracts`);
  const tablesOff = r.tables.filter((t) => t.source !== t.target).length;
  lines.push(
    r.ok
      ? `verdict: OK: ${r.tables.length} tables, ${count(rows)} rows; ${count(r.contracts)} contracts, each balance equal to its ledger and the same on both sides`
      : `verdict: MISMATCH: ${tablesOff} table(s) with other row counts, ${r.moneyMismatches.length} contract(s) whose balance or ledger differs`,
  );
  return lines;
}

/** Runs the command; returns the exit code (1 when the check found a mismatch). Refusals and errors throw. */
export async function copyToPostgresCommand(config: Config, args: string[], out: (line: string) => void): Promise<number> {
  const to = option(args, '--to');
  if (!to) throw new Error(COPY_USAGE);
  if (!isPostgresUrl(to)) throw new Error(`--to must be a postgres:// URL, not "${redactUrl(to)}"`);
  const batch = option(args, '--batch') ?? '5000';
  if (!/^\d{1,6}$/.test(batch) || Number(batch) < 1) throw new Error('--batch must be a whole number of rows from 1 to 999999');
  const file = path.resolve(config.databaseFile);
  if (config.databaseFile === ':memory:' || !fs.existsSync(file)) throw new Error(`there is no SQLite database at ${file} (DATABASE_FILE) to copy`);
  checkDatabaseFile(file);
  await checkDatabase(to);
  const source = openDb(file);
  const target = openDb(to, { poolMax: 2 });
  try {
    out(`copying ${file} into ${redactUrl(to)}`);
    const started = Date.now();
    const report = await copyToPostgres(source, target, {
      batchRows: Number(batch),
      onTable: (table, rows) => rows >= 10_000 && out(`  ${table}: ${count(rows)} rows (${((Date.now() - started) / 1000).toFixed(1)} s)`),
    });
    out(`copied and checked in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
    for (const line of reportLines(report)) out(line);
    return report.ok ? 0 : 1;
  } finally {
    await source.destroy();
    await target.destroy();
  }
}
