// A child process of the benchmark: one daily charge run over the large seed, or its ceiling, in a process of its
// own so that the peak RSS it reports is that of the run alone (process.resourceUsage().maxRSS). <db> is a SQLite
// file or a postgres:// URL.
//   node dist/bench/chargeChild.js engine <db>                    runChargeDay for the day after the last one charged,
//                                                                 at 00:05 provider time of that day (as the scheduler)
//   node dist/bench/chargeChild.js ceiling <db> <fromDay> <toDay> the charge rows the engine wrote for <fromDay>, inserted
//                                                                 again for <toDay>: SQLite by a plain prepared-statement
//                                                                 loop in one transaction, PostgreSQL by one INSERT of
//                                                                 them all (a JSON parameter) in one transaction
// Prints one JSON line: ChildResult.
import Database from 'better-sqlite3';
import { chargeKey, runChargeDay } from '../src/billing/charges';
import { lastChargeDay } from '../src/billing/queries';
import { loadConfig } from '../src/config';
import { isPostgresUrl, openDb, rawRows } from '../src/db';
import { addDays, isDay, startOfDay, type Day } from '../src/lib/dates';

/** seconds: wall time of the run; cpuSeconds: user + system CPU time this process spent in it (all its threads). */
export type ChildResult = { mode: 'engine' | 'ceiling'; day: Day; seconds: number; cpuSeconds: number; rows: number; blocked: number; maxRssMb: number };

type Mark = { wall: bigint; cpu: NodeJS.CpuUsage };
const mark = (): Mark => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() });
function since(from: Mark): { seconds: number; cpuSeconds: number } {
  const cpu = process.cpuUsage(from.cpu);
  return { seconds: Number(process.hrtime.bigint() - from.wall) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
const maxRssMb = () => process.resourceUsage().maxRSS / 1024; // maxRSS is in kilobytes

async function engine(file: string): Promise<ChildResult> {
  const config = loadConfig({ NODE_ENV: 'development', ...(isPostgresUrl(file) ? { DATABASE_URL: file } : { DATABASE_FILE: file }), LOG_LEVEL: 'silent' });
  const db = openDb(file);
  try {
    const last = await lastChargeDay(db); // opens the connection (pragmas) before the clock starts
    if (!last) throw new Error('no charged day in the database: run it on a seed:large database');
    const day = addDays(last, 1);
    const now = new Date(startOfDay(day, config.timeZone).getTime() + 5 * 60_000);
    const started = mark();
    const r = await runChargeDay(db, day, { timeZone: config.timeZone, now, pausedDailyFeeKopecks: config.billing.voluntaryBlock.dailyFeeKopecks });
    const took = since(started);
    if (r.alreadyDone) throw new Error(`${day} was charged already`);
    return { mode: 'engine', day, ...took, rows: r.contractsCharged, blocked: r.blocked, maxRssMb: maxRssMb() };
  } finally {
    await db.destroy();
  }
}

function ceiling(file: string, fromDay: Day, toDay: Day): ChildResult {
  const conn = new Database(file);
  try {
    // The settings openDb gives the app's connection (src/db.ts).
    conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    conn.pragma('foreign_keys = ON');
    conn.pragma('busy_timeout = 5000');
    type Row = { contract_id: number; amount_kopecks: number; description: string };
    const rows = conn.prepare(`select contract_id, amount_kopecks, description from ledger_entries where kind = 'charge' and period_from = ?`).all(fromDay) as Row[];
    const insert = conn.prepare(
      `insert into ledger_entries (contract_id, kind, amount_kopecks, description, period_from, period_to, idempotency_key, occurred_at)
       values (?, 'charge', ?, ?, ?, ?, ?, ?)`,
    );
    const at = new Date().toISOString();
    const started = mark();
    conn.transaction(() => {
      for (const r of rows) insert.run(r.contract_id, r.amount_kopecks, r.description, toDay, toDay, chargeKey(r.contract_id, toDay), at);
    })();
    return { mode: 'ceiling', day: toDay, ...since(started), rows: rows.length, blocked: 0, maxRssMb: maxRssMb() };
  } finally {
    conn.close();
  }
}

/** PostgreSQL: the rows read first (not timed), then written in one statement and one transaction. */
async function ceilingPostgres(url: string, fromDay: Day, toDay: Day): Promise<ChildResult> {
  const db = openDb(url);
  try {
    type Row = { contract_id: number; amount_kopecks: number; description: string };
    const rows = await rawRows<Row>(db, `select contract_id, amount_kopecks, description from ledger_entries where kind = 'charge' and period_from = ? and period_to = ?`, [fromDay, fromDay]);
    const at = new Date().toISOString();
    const json = JSON.stringify(rows.map((r) => ({ ...r, key: chargeKey(r.contract_id, toDay) })));
    await db.raw('select 1'); // the pool's connection made before the clock starts
    const started = mark();
    await db.transaction((trx) =>
      trx.raw(
        `insert into ledger_entries (contract_id, kind, amount_kopecks, description, period_from, period_to, idempotency_key, occurred_at)
         select u.contract_id, 'charge', u.amount_kopecks, u.description, ?, ?, u.key, ?
           from json_to_recordset(?::json) as u(contract_id integer, amount_kopecks integer, description text, key text)`,
        [toDay, toDay, at, json],
      ),
    );
    return { mode: 'ceiling', day: toDay, ...since(started), rows: rows.length, blocked: 0, maxRssMb: maxRssMb() };
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const [mode, file, fromDay, toDay] = process.argv.slice(2);
  let result: ChildResult;
  if (mode === 'engine' && file) result = await engine(file);
  else if (mode === 'ceiling' && file && isDay(fromDay ?? '') && isDay(toDay ?? '')) result = isPostgresUrl(file) ? await ceilingPostgres(file, fromDay, toDay) : ceiling(file, fromDay, toDay);
  else throw new Error('usage: chargeChild.js engine <db> | ceiling <db> <fromDay> <toDay>');
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stderr.write(`chargeChild: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
