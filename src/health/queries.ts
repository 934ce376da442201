// What /healthz reads and writes. Prepared statements on the pool's own connection (src/db.ts), never through knex's
// queue: a health check must answer in milliseconds even while a long transaction or another process holds the lock.
import { peekGet, writeWithoutWaiting, type Db, type NoWaitWrite } from '../db';
import { SCHEDULER_HEARTBEAT } from '../jobs/queries';

const PROBE_HEARTBEAT = 'health';

/** The write probe: upserts the 'health' heartbeat without ever waiting for the write lock. */
export const probeWrite = (db: Db, at: string): Promise<NoWaitWrite> =>
  writeWithoutWaiting(db, 'insert into heartbeats (name, at) values (?, ?) on conflict (name) do update set at = excluded.at', [PROBE_HEARTBEAT, at]);

export type HealthCounts = {
  scheduler_at: string | null;
  scheduler_running_since: string | null;
  yesterday_charged: number;
  first_charged_day: string | null;
  last_charged_day: string | null;
  outbox_queued: number;
  outbox_due: number;
  outbox_failed: number;
  jobs_due: number;
  jobs_failed: number;
};

/** Everything else in one statement; each count walks an index ((state, next_try_at) and (status, run_at)). */
export async function healthCounts(db: Db, o: { now: string; yesterday: string }): Promise<HealthCounts> {
  const row = await peekGet<HealthCounts>(
    db,
    `select
       (select at from heartbeats where name = ?) as scheduler_at,
       (select detail from heartbeats where name = ?) as scheduler_running_since,
       (select count(*) from charge_days where day = ?) as yesterday_charged,
       (select min(day) from charge_days) as first_charged_day,
       (select max(day) from charge_days) as last_charged_day,
       (select count(*) from outbox where state = 'queued') as outbox_queued,
       (select count(*) from outbox where state = 'queued' and next_try_at <= ?) as outbox_due,
       (select count(*) from outbox where state = 'failed') as outbox_failed,
       (select count(*) from jobs where status = 'pending' and run_at <= ?) as jobs_due,
       (select count(*) from jobs where status = 'failed') as jobs_failed`,
    [SCHEDULER_HEARTBEAT, SCHEDULER_HEARTBEAT, o.yesterday, o.now, o.now],
  );
  return row!;
}
