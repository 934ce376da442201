// The daily charge run: each provider day, every contract that is active (and, if config asks, every paused one)
// is charged its tariff's and services' share of that day, once. The whole day is one transaction: a crash in
// the middle leaves nothing of it, and the next start runs it again. Days missed while the process was down are
// caught up in order. Two processes cannot charge a day twice: the day's row in charge_days and every charge's
// idempotency key are written in the same transaction, and SQLite lets one writer in at a time (PostgreSQL: the
// day's row is claimed first and the contracts are locked, see chargeDayPostgres).
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { inTransaction, isPostgres, type Db, type Trx } from '../db';
import { addDays, daysInMonth, splitDay, startOfDay, type Day } from '../lib/dates';
import { chargeForDays } from './forecast';
import {
  applyChargesBatch, applyPriceChanges, candidateParams, CHARGE_RUN_SQL, claimChargeDay, finishChargeDay, insertBlocksBatch, insertChargesBatch, isChargeDayDone,
  lastChargeDay, lockedChargeCandidates, markChargeDay, type ChargeCandidate,
} from './queries';

export type ChargeRunResult = { day: Day; alreadyDone: boolean; contractsCharged: number; totalKopecks: number; blocked: number };

export const chargeKey = (contractId: number, day: Day) => `charge:${contractId}:${day}`;

/**
 * Raw prepared statements inside the run's transaction: 100 000 contracts a day must take seconds, and knex
 * builds a query object per row. Their SQL is in queries.ts (CHARGE_RUN_SQL); only the loop is here.
 */
function runStatements(conn: Database) {
  return {
    candidates: conn.prepare(CHARGE_RUN_SQL.candidates),
    insertCharge: conn.prepare(CHARGE_RUN_SQL.insertCharge),
    addBalance: conn.prepare(CHARGE_RUN_SQL.addBalance),
    block: conn.prepare(CHARGE_RUN_SQL.block),
    statusChange: conn.prepare(CHARGE_RUN_SQL.statusChange),
    applyPrices: conn.prepare(CHARGE_RUN_SQL.applyPrices),
    markPricesApplied: conn.prepare(CHARGE_RUN_SQL.markPricesApplied),
    isDayDone: conn.prepare(CHARGE_RUN_SQL.isDayDone),
    markDay: conn.prepare(CHARGE_RUN_SQL.markDay),
  };
}


type DayOptions = { timeZone: string; now: Date; pausedDailyFeeKopecks: number };

/** What the day charges one contract, and whether the charge takes it below its limit (the rule, on both engines). */
type Planned = { contractId: number; amount: number; description: string; blocks: boolean };

function dayPlanner(day: Day, o: DayOptions) {
  const [y, m, d] = splitDay(day);
  const dim = daysInMonth(y, m);
  return (c: ChargeCandidate): Planned | null => {
    const paused = c.status === 'paused';
    const amount = paused ? o.pausedDailyFeeKopecks : chargeForDays(c.fee, dim, d, d) + chargeForDays(c.services_fee, dim, d, d);
    if (amount <= 0) return null;
    const description = paused ? 'Добровольная блокировка: плата за день' : 'Абонентская плата за день';
    return { contractId: c.id, amount, description, blocks: !paused && c.balance_kopecks - amount < -c.credit_limit_kopecks };
  };
}

const dayEndOf = (day: Day, timeZone: string) => startOfDay(addDays(day, 1), timeZone).toISOString();

/** The rows of one day on a raw SQLite connection, inside a transaction the caller holds (knex's or the worker's). */
export function chargeDayRows(conn: Database, day: Day, o: DayOptions): Omit<ChargeRunResult, 'day' | 'alreadyDone'> {
  const st = runStatements(conn);
  const plan = dayPlanner(day, o);
  const at = o.now.toISOString();
  let contractsCharged = 0;
  let totalKopecks = 0;
  let blocked = 0;
  st.applyPrices.run(day, day);
  st.markPricesApplied.run(at, day);
  // all(), not iterate(): the connection cannot run the inserts while an iterator holds it.
  for (const c of st.candidates.all(...candidateParams(day, dayEndOf(day, o.timeZone), o.pausedDailyFeeKopecks)) as ChargeCandidate[]) {
    const p = plan(c);
    if (!p) continue;
    const r = st.insertCharge.run(c.id, -p.amount, p.description, day, day, chargeKey(c.id, day), at);
    if (r.changes === 0) continue; // the same key: charged already (the check above makes this a safety net)
    st.addBalance.run(-p.amount, at, c.id);
    contractsCharged++;
    totalKopecks += p.amount;
    if (p.blocks) {
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
    const st = runStatements(conn);
    if (st.isDayDone.get(day)) return { day, alreadyDone: true, contractsCharged: 0, totalKopecks: 0, blocked: 0 };
    const r = chargeDayRows(conn, day, o);
    st.markDay.run(day, r.contractsCharged, r.totalKopecks, o.now.toISOString());
    return { day, alreadyDone: false, ...r };
  }).immediate();
}

/** Rows per statement when PostgreSQL writes a day's charges (one JSON parameter each). */
const PG_BATCH = 10_000;

/**
 * PostgreSQL's version of the day, inside the caller's transaction. Several processes may run it at once: the
 * day's charge_days row is claimed first (INSERT … ON CONFLICT DO NOTHING: a second transaction waits for the
 * first's commit, then finds the day done), and the candidates are read FOR UPDATE OF c, so a promised payment or a
 * payment on a contract waits for the day's charge and then sees the new balance (and the day's charge waits for
 * them). The same rule (dayPlanner) decides each contract's charge as on SQLite; the writes go in batches of
 * JSON rows (one round trip per 10 000 contracts, not three per contract).
 */
async function chargeDayPostgres(trx: Trx, day: Day, o: DayOptions): Promise<ChargeRunResult> {
  const at = o.now.toISOString();
  if (!(await claimChargeDay(trx, day, at))) return { day, alreadyDone: true, contractsCharged: 0, totalKopecks: 0, blocked: 0 };
  await applyPriceChanges(trx, day, at);
  const candidates = await lockedChargeCandidates(trx, candidateParams(day, dayEndOf(day, o.timeZone), o.pausedDailyFeeKopecks));
  const plan = dayPlanner(day, o);
  const planned = candidates.map(plan).filter((p): p is Planned => p !== null);
  let contractsCharged = 0;
  let totalKopecks = 0;
  let blocked = 0;
  for (let i = 0; i < planned.length; i += PG_BATCH) {
    const batch = planned.slice(i, i + PG_BATCH);
    const byContract = new Map(batch.map((p) => [p.contractId, p]));
    const entries = batch.map((p) => ({ contract_id: p.contractId, amount: -p.amount, description: p.description, key: chargeKey(p.contractId, day) }));
    const inserted = await insertChargesBatch(trx, { day, at, entries });
    const charged = inserted.map((e) => ({ ...byContract.get(e.contract_id)!, entryId: e.id }));
    await applyChargesBatch(trx, at, charged.map((p) => ({ id: p.contractId, amount: p.amount, blocks: p.blocks })));
    const blocks = charged.filter((p) => p.blocks);
    if (blocks.length > 0) await insertBlocksBatch(trx, at, blocks.map((p) => ({ contract_id: p.contractId, entry_id: p.entryId })));
    contractsCharged += charged.length;
    totalKopecks += charged.reduce((sum, p) => sum + p.amount, 0);
    blocked += blocks.length;
  }
  await finishChargeDay(trx, { day, contracts_charged: contractsCharged, total_kopecks: totalKopecks, finished_at: at });
  return { day, alreadyDone: false, contractsCharged, totalKopecks, blocked };
}

/** Charges one provider day for every contract, on the app's own connection; does nothing for a day already done. */
export async function runChargeDay(db: Db, day: Day, o: DayOptions): Promise<ChargeRunResult> {
  return inTransaction(db, async (trx: Trx) => {
    if (isPostgres(trx)) return chargeDayPostgres(trx, day, o);
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
  const useWorker = Boolean(!isPostgres(db) && o.file && o.file !== ':memory:' && fs.existsSync(WORKER_FILE));
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
