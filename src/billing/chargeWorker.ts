// The daily charge run's worker thread (started by runChargeDaysThrough in charges.ts): its own better-sqlite3
// connection to the database file, one day per message, each day one BEGIN IMMEDIATE transaction (all or nothing).
// better-sqlite3 is synchronous: here the loop over 100 000 contracts blocks this thread only, and the main thread's
// event loop keeps answering. Waiting for another process's write lock is busy_timeout here (this thread has
// nothing else to do), WRITE_LOCK_WAIT_MS at most, as in the app.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { WRITE_LOCK_WAIT_MS } from '../db';
import { chargeDayOnConnection } from './charges';

type Ask = { day: string; timeZone: string; now: string; pausedDailyFeeKopecks: number };

const conn = new Database((workerData as { file: string }).file);
conn.pragma('journal_mode = WAL');
conn.pragma('synchronous = NORMAL');
conn.pragma('foreign_keys = ON');
conn.pragma(`busy_timeout = ${WRITE_LOCK_WAIT_MS}`);

parentPort!.on('message', (ask: Ask) => {
  try {
    const result = chargeDayOnConnection(conn, ask.day, { timeZone: ask.timeZone, now: new Date(ask.now), pausedDailyFeeKopecks: ask.pausedDailyFeeKopecks });
    parentPort!.postMessage({ ok: true, result });
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
