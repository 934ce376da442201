// What the scheduler does, in one place (as app.ts lists the routers): every feature's job handlers and the minute
// tick's steps in their order. The features export their handlers and steps; src/jobs runs them and imports none.
import { tariffJobHandlers } from './admin/tariffs/jobs';
import { billingJobHandlers, scheduleBillingDay } from './billing/jobs';
import { paymentsTick } from './card-payments/jobs';
import type { AppContext } from './context';
import type { JobHandler } from './jobs/service';
import { startScheduler as startJobScheduler, type ScheduledWork, type TickStep } from './jobs/scheduler';
import { promisedJobHandlers } from './promised/jobs';
import { reminderJobHandlers, scheduleReminders } from './reminders/lowBalance';
import { retentionJobHandlers, scheduleRetention } from './retention/service';
import { createServices, type Services } from './services';
import { tariffChangeJobHandlers } from './tariff-change/jobs';
import { voluntaryBlockJobHandlers } from './voluntary-block/jobs';
import { deleteExpiredSessions } from './web/queries';

/** The handler of every job kind. */
export function jobHandlers(ctx: AppContext, services: Services): Record<string, JobHandler> {
  return {
    ...billingJobHandlers(ctx), ...promisedJobHandlers(services.promised), ...voluntaryBlockJobHandlers(services.voluntaryBlock),
    ...tariffChangeJobHandlers(ctx, services.tariffChange),
    ...reminderJobHandlers(ctx), ...retentionJobHandlers(ctx), ...tariffJobHandlers(ctx),
  };
}

/** The minute tick, in order. Each step on its own: a gateway that is down must not hold up the charge run, nor the SMS that are due. */
export function tickSteps(ctx: AppContext, services: Services): TickStep[] {
  const payments = paymentsTick(ctx, services);
  return [
    { name: 'billing', run: async (jobs) => { await scheduleBillingDay(ctx, jobs); await jobs.runDue(); } },
    { name: 'payments', run: () => payments() }, // reconciliation of card payments, then autopayment
    { name: 'reminders', run: (jobs) => scheduleReminders(ctx, jobs) },
    { name: 'retention', run: (jobs) => scheduleRetention(ctx, jobs) }, // personal data past its period, once a day (src/retention)
    { name: 'outbox', run: () => services.outbox.runDue() },
    // Here rather than in the session store's own timer: one process does it, and it stops with the scheduler.
    { name: 'sessions', run: () => deleteExpiredSessions(ctx.db, ctx.clock.now().toISOString()) },
  ];
}

export const scheduledWork = (ctx: AppContext, services: Services): ScheduledWork => ({ handlers: jobHandlers(ctx, services), steps: tickSteps(ctx, services) });

/** The app's scheduler: src/jobs's, running the work above (with the services src/services.ts built, or its own). */
export const startScheduler = (ctx: AppContext, services: Services = createServices(ctx)) => startJobScheduler(ctx, scheduledWork(ctx, services));
