// One scheduler turn at a time across every process sharing the database (several web workers, several machines):
// the daily charge run, the minute's jobs, the outbox and reconciliation run in the process that holds the turn; a
// process that finds it held skips that minute (the holder does the work; the next minute may be anyone's).
// - PostgreSQL: a session advisory lock (pg_try_advisory_lock) on a connection kept for the turn. It never waits; a
//   process that dies loses its connection and so its lock at once.
// - SQLite: a lease row in heartbeats, taken inside a writer transaction (BEGIN IMMEDIATE: the writer lock makes
//   the read-then-write atomic), valid for TURN_LEASE_MS and renewed while a long turn runs (a catch-up of days);
//   a process that died leaves a lease that lapses.
import crypto from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import type { AppContext } from '../context';
import { inTransaction, isPostgres } from '../db';
import { releaseSchedulerTurn, takeSchedulerTurn } from './queries';

/** The advisory lock's key: any fixed 64-bit number, the same in every process ('kabinet' in ASCII). */
const ADVISORY_KEY = '120267006227060';
export const TURN_LEASE_MS = 3 * 60_000;

export type SchedulerTurns = {
  /** True when this process now holds the turn (and must release it); false when another process holds it. */
  take(): Promise<boolean>;
  /** Keeps a long turn held (SQLite's lease; nothing to do on PostgreSQL). */
  renew(): Promise<void>;
  release(): Promise<void>;
  readonly holder: string;
};

export function schedulerTurns(ctx: AppContext): SchedulerTurns {
  const holder = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  if (isPostgres(ctx.db)) {
    let conn: pg.PoolClient | null = null;
    return {
      holder,
      async take() {
        const c = (await ctx.db.client.acquireConnection()) as pg.PoolClient;
        try {
          const { rows } = await c.query<{ taken: boolean }>('select pg_try_advisory_lock($1::bigint) as taken', [ADVISORY_KEY]);
          if (rows[0].taken) {
            conn = c;
            return true;
          }
        } catch (err) {
          ctx.db.client.releaseConnection(c);
          throw err;
        }
        ctx.db.client.releaseConnection(c);
        return false;
      },
      async renew() {},
      async release() {
        const c = conn;
        conn = null;
        if (!c) return;
        try {
          await c.query('select pg_advisory_unlock($1::bigint)', [ADVISORY_KEY]);
        } finally {
          ctx.db.client.releaseConnection(c);
        }
      },
    };
  }
  const lease = () => {
    const now = ctx.clock.now();
    return inTransaction(ctx.db, (trx) => takeSchedulerTurn(trx, holder, now.toISOString(), new Date(now.getTime() + TURN_LEASE_MS).toISOString()));
  };
  return {
    holder,
    take: lease,
    async renew() {
      await lease();
    },
    release: () => releaseSchedulerTurn(ctx.db, holder),
  };
}
