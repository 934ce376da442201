// The in-process scheduler (croner): once at start and then every minute it puts the day's billing work in the
// jobs table and runs what is due. croner forgets everything on restart; the jobs table does not.
import { Cron } from 'croner';
import { billingJobHandlers, scheduleBillingDay } from '../billing/jobs';
import type { AppContext } from '../context';
import { promisedJobHandlers } from '../promised/jobs';
import { paymentsTick } from '../card-payments/jobs';
import { tariffChangeJobHandlers } from '../tariff-change/jobs';
import { voluntaryBlockJobHandlers } from '../voluntary-block/jobs';
import { recordSchedulerTick } from './queries';
import { createJobs } from './service';
import { schedulerTurns } from './turns';
import { createServices, type Services } from '../services';
import { reminderJobHandlers, scheduleReminders } from '../reminders/lowBalance';
import { deleteExpiredSessions } from '../web/queries';
import { retentionJobHandlers, scheduleRetention } from '../retention/service';

export function startScheduler(ctx: AppContext, services: Services = createServices(ctx)): { stop: () => Promise<void> } {
  const jobs = createJobs(ctx, { ...billingJobHandlers(ctx), ...promisedJobHandlers(ctx), ...voluntaryBlockJobHandlers(ctx), ...tariffChangeJobHandlers(ctx), ...reminderJobHandlers(ctx), ...retentionJobHandlers(ctx) });
  const payments = paymentsTick(ctx, services);
  const outbox = services.outbox;
  // Each step on its own: a gateway that is down must not hold up the charge run, nor the SMS that are due.
  const steps: [string, () => Promise<unknown>][] = [
    ['billing', async () => { await scheduleBillingDay(ctx, jobs); await jobs.runDue(); }],
    ['payments', () => payments()], // reconciliation of card payments, then autopayment
    ['reminders', () => scheduleReminders(ctx, jobs)],
    ['retention', () => scheduleRetention(ctx, jobs)], // personal data past its period, once a day (src/retention)
    ['outbox', () => outbox.runDue()],
    // Here rather than in the session store's own timer: one process does it, and it stops with the scheduler.
    ['sessions', () => deleteExpiredSessions(ctx.db, ctx.clock.now().toISOString())],
  ];
  let running: Promise<void> | null = null;
  let runningSince: string | null = null;
  // The tick's time in the database (heartbeats), for /healthz in this process or another one.
  const beat = (since: string | null) =>
    recordSchedulerTick(ctx.db, ctx.clock.now().toISOString(), since).catch((err: unknown) => ctx.logger.error({ err }, 'scheduler: heartbeat not written'));
  // One process at a time runs the turn (src/jobs/turns.ts); the others skip the minute.
  const turns = schedulerTurns(ctx);
  const tick = () => {
    if (running) {
      void beat(runningSince); // a long run (catching up days) is still going: alive, and busy since then
      turns.renew().catch((err: unknown) => ctx.logger.error({ err }, 'scheduler: turn not renewed'));
      return;
    }
    runningSince = ctx.clock.now().toISOString();
    running = (async () => {
      let mine = false;
      try {
        mine = await turns.take();
      } catch (err) {
        ctx.logger.error({ err }, 'scheduler: cannot take the turn');
      }
      if (!mine) {
        ctx.logger.debug('scheduler: another process has the turn, skipping this minute');
        running = null;
        return;
      }
      try {
        await beat(null);
        for (const [name, step] of steps) {
          try {
            await step();
          } catch (err) {
            ctx.logger.error({ err, step: name }, 'scheduler tick step failed');
          }
        }
      } finally {
        await turns.release().catch((err: unknown) => ctx.logger.error({ err }, 'scheduler: turn not released'));
        running = null;
      }
    })();
  };
  const cron = new Cron('0 * * * * *', { timezone: ctx.config.timeZone, protect: true }, tick);
  tick();
  return {
    async stop() {
      cron.stop();
      if (running) await running;
    },
  };
}
