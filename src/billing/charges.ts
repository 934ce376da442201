// The daily charge run: each provider day, every contract that is active (and, if config asks, every paused one)
// is charged its tariff's and services' share of that day, once. The whole day is one transaction: a crash in
// the middle leaves nothing of it, and the next start runs it again. Days missed while the process was down are
// caught up in order. Two processes cannot charge a day twice: the day's row in charge_days and every charge's
// idempotency key are written in the same transaction, and SQLite lets one writer in at a time.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { inTransaction, type Db, type Trx } from '../db';
import { addDays, daysInMonth, splitDay, startOfDay, type Day } from '../lib/dates';
import { chargeForDays } from './forecast';
import { isChargeDayDone, lastChargeDay, markChargeDay } from './queries';

export type ChargeRunResult = { day: Day; alreadyDone: boolean; contractsCharged: number; totalKopecks: number; blocked: number };

export const chargeKey = (contractId: number, day: Day) => `charge:${contractId}:${day}`;

/**
 * Raw prepared statements inside the run's transaction: 100 000 contracts a day must take seconds, and knex
 * builds a query object per row. The SQL is plain and portable; only the loop is here rather than in knex.
 */
function runStatements(conn: Database) {
  return {
    candidates: conn.prepare(
      `select c.id, c.status, c.balance_kopecks, c.credit_limit_kopecks, t.monthly_fee_kopecks as fee,
         (select coalesce(sum(s.monthly_fee_kopecks), 0) from contract_services cs join services s on s.id = cs.service_id
           where cs.contract_id = c.id and cs.from_day <= @day and (cs.to_day is null or cs.to_day >= @day)) as services_fee
       from contracts c join tariffs t on t.id = c.tariff_id
       where c.created_at < @dayEnd and (c.status = 'active' or (c.status = 'paused' and @pausedFee > 0))
         -- a day some charge already covers (an unblocking's, the seed's monthly one, an import) is not taken again
         and not exists (select 1 from ledger_entries l where l.contract_id = c.id and l.kind = 'charge' and l.period_to >= @day and l.period_from <= @day)`,
    ),
    insertCharge: conn.prepare(
      `insert into ledger_entries (contract_id, kind, amount_kopecks, description, period_from, period_to, idempotency_key, occurred_at)
       values (?, 'charge', ?, ?, ?, ?, ?, ?) on conflict (idempotency_key) do nothing`,
    ),
    addBalance: conn.prepare('update contracts set balance_kopecks = balance_kopecks + ?, updated_at = ? where id = ?'),
    block: conn.prepare(`update contracts set status = 'blocked', updated_at = ? where id = ?`),
    statusChange: conn.prepare(
      `insert into contract_status_changes (contract_id, from_status, to_status, cause, ledger_entry_id, at) values (?, 'active', 'blocked', 'balance_below_limit', ?, ?)`,
    ),
  };
}

type Candidate = { id: number; status: string; balance_kopecks: number; credit_limit_kopecks: number; fee: number; services_fee: number };

type DayOptions = { timeZone: string; now: Date; pausedDailyFeeKopecks: number };

/** The rows of one day on a raw connection, inside a transaction the caller holds (knex's or the worker's). */
export function chargeDayRows(conn: Database, day: Day, o: DayOptions): Omit<ChargeRunResult, 'day' | 'alreadyDone'> {
  const st = runStatements(conn);
  const [y, m, d] = splitDay(day);
  const dim = daysInMonth(y, m);
  const at = o.now.toISOString();
  const dayEnd = startOfDay(addDays(day, 1), o.timeZone).toISOString();
  let contractsCharged = 0;
  let totalKopecks = 0;
  let blocked = 0;
  // all(), not iterate(): the connection cannot run the inserts while an iterator holds it.
  for (const c of st.candidates.all({ day, dayEnd, pausedFee: o.pausedDailyFeeKopecks }) as Candidate[]) {
    const paused = c.status === 'paused';
    const amount = paused ? o.pausedDailyFeeKopecks : chargeForDays(c.fee, dim, d, d) + chargeForDays(c.services_fee, dim, d, d);
    if (amount <= 0) continue;
    const description = paused ? 'Добровольная блокировка: плата за день' : 'Абонентская плата за день';
    const r = st.insertCharge.run(c.id, -amount, description, day, day, chargeKey(c.id, day), at);
    if (r.changes === 0) continue; // the same key: charged already (the check above makes this a safety net)
    st.addBalance.run(-amount, at, c.id);
    contractsCharged++;
    totalKopecks += amount;
    if (!paused && c.balance_kopecks - amount < -c.credit_limit_kopecks) {
      st.block.run(at, c.id);
      st.statusChange.run(c.id, Number(r.lastInsertRowid), at);
      blocked++;
    }
  }
  return { contractsCharged, totalKopecks, blocked };
}

/** One day as one transaction on a raw connection of its own (the worker's): BEGIN IMMEDIATE, all or nothing. */
export function chargeDayOnConnection(conn: Database, day: Day, o: DayOptions): ChargeRunResult {
  return conn.transaction((): ChargeRunResult => {
    if (conn.prepare('select 1 from charge_days where day = ?').get(day)) return { day, alreadyDone: true, contractsCharged: 0, totalKopecks: 0, blocked: 0 };
    const r = chargeDayRows(conn, day, o);
    conn.prepare('insert into charge_days (day, contracts_charged, total_kopecks, finished_at) values (?, ?, ?, ?)').run(day, r.contractsCharged, r.totalKopecks, o.now.toISOString());
    return { day, alreadyDone: false, ...r };
  }).immediate();
}

/** Charges one provider day for every contract, on the app's own connection; does nothing for a day already done. */
export async function runChargeDay(db: Db, day: Day, o: DayOptions): Promise<ChargeRunResult> {
  return inTransaction(db, async (trx: Trx) => {
    if (await isChargeDayDone(trx, day)) return { day, alreadyDone: true, contractsCharged: 0, totalKopecks: 0, blocked: 0 };
    const conn = (await trx.client.acquireConnection()) as Database;
    const r = chargeDayRows(conn, day, o);
    await markChargeDay(trx, { day, contracts_charged: r.contractsCharged, total_kopecks: r.totalKopecks, finished_at: o.now.toISOString() });
    return { day, alreadyDone: false, ...r };
  });
}

/** Thrown by a catch-up asked to stop (SIGTERM): the days before it are done whole, the rest are left for later. */
export class ChargeRunStopped extends Error {
  constructor(readonly doneThrough: Day | null) {
    super(`the charge run was asked to stop${doneThrough ? ` after ${doneThrough}` : ''}`);
  }
}

let stopRequested = false;
/** SIGTERM: every catch-up in this process stops after the day in hand (that day is finished, whole). */
export function stopChargeRuns(): void {
  stopRequested = true;
}

export type ThroughOptions = {
  timeZone: string; now: () => Date; pausedDailyFeeKopecks: number;
  /** The database file: the days are charged by a worker thread with a connection of its own (see chargeWorker.ts). */
  file?: string;
  onDay?: (r: ChargeRunResult) => void;
};

const WORKER_FILE = path.join(__dirname, 'chargeWorker.js');

/**
 * Runs every day after the last finished one up to `through`, in order (a fresh database starts at `through`).
 * With a database file and the compiled app, each day runs in a worker thread on its own connection, so the event
 * loop of the process (its HTTP server) keeps answering during a run of 100 000 contracts; its reads go on under
 * WAL, its writes wait their turn (src/db.ts). In tests (TypeScript, in-memory databases) the same rows are written
 * on the app's connection. Asked to stop (stopChargeRuns), it finishes the day in hand and throws ChargeRunStopped.
 */
export async function runChargeDaysThrough(db: Db, through: Day, o: ThroughOptions): Promise<ChargeRunResult[]> {
  const last = await lastChargeDay(db);
  const results: ChargeRunResult[] = [];
  const useWorker = Boolean(o.file && o.file !== ':memory:' && fs.existsSync(WORKER_FILE));
  const worker = useWorker ? startChargeWorker(o.file!) : null;
  try {
    for (let day = last ? addDays(last, 1) : through; day <= through; day = addDays(day, 1)) {
      if (stopRequested) throw new ChargeRunStopped(results.length ? results[results.length - 1].day : last);
      const opts = { timeZone: o.timeZone, now: o.now(), pausedDailyFeeKopecks: o.pausedDailyFeeKopecks };
      const r = worker ? await worker.run(day, opts) : await runChargeDay(db, day, opts);
      results.push(r);
      o.onDay?.(r);
    }
  } finally {
    await worker?.close();
  }
  return results;
}

type WorkerReply = { ok: true; result: ChargeRunResult } | { ok: false; error: string };

function startChargeWorker(file: string) {
  const worker = new Worker(WORKER_FILE, { workerData: { file } });
  let pending: { resolve: (r: ChargeRunResult) => void; reject: (e: Error) => void } | null = null;
  const fail = (err: Error) => {
    pending?.reject(err);
    pending = null;
  };
  worker.on('message', (m: WorkerReply) => {
    if (!pending) return;
    if (m.ok) pending.resolve(m.result);
    else pending.reject(new Error(m.error));
    pending = null;
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the charge worker exited (${code})`)));
  return {
    run(day: Day, o: DayOptions): Promise<ChargeRunResult> {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage({ day, timeZone: o.timeZone, now: o.now.toISOString(), pausedDailyFeeKopecks: o.pausedDailyFeeKopecks });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
