// The in-process scheduler (croner): once at start and then every minute it runs the tick's steps in order (putting
// the day's work in the jobs table, running what is due, the features' own periodic work). croner forgets everything
// on restart; the jobs table does not. What the steps and the job handlers are is not this folder's business: the
// features provide them and one place lists them (src/schedule.ts), so jobs/ imports no feature.
import { Cron } from 'croner';
import type { AppContext } from '../context';
import { recordSchedulerTick } from './queries';
import { createJobs, type JobHandler, type Jobs } from './service';
import { schedulerTurns } from './turns';

/** One step of the minute tick: a failing step is logged and the next one runs. */
export type TickStep = { name: string; run: (jobs: Jobs) => Promise<unknown> };

/** What the scheduler does: the handlers of every job kind, and the tick's steps in their order. */
export type ScheduledWork = { handlers: Record<string, JobHandler>; steps: TickStep[] };

export function startScheduler(ctx: AppContext, work: ScheduledWork): { stop: () => Promise<void> } {
  const jobs = createJobs(ctx, work.handlers);
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
        // Each step on its own: a gateway that is down must not hold up the charge run, nor the SMS that are due.
        for (const step of work.steps) {
          try {
            await step.run(jobs);
          } catch (err) {
            ctx.logger.error({ err, step: step.name }, 'scheduler tick step failed');
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
