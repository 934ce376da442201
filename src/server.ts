// The process: config -> db (migrate, demo seed when empty outside production) -> app -> listen -> scheduler.
// The scheduler (and so a catch-up of days missed while the process was down) starts once the port is open, and
// the charge run works in a worker thread (src/billing/charges.ts): the site answers meanwhile.
// SIGTERM/SIGINT: stop accepting, let requests in flight finish, let a charge run finish the day in hand (the days
// after it are left for the next start), close the database, exit.
import { createApp } from './app';
import { createPasswordHasher } from './auth/passwords';
import { boot } from './boot';
import type { AppContext } from './context';
import { stopChargeRuns } from './billing/charges';
import { DatabaseOpenError } from './db';
import { startScheduler } from './jobs/scheduler';
import { dayOf } from './lib/dates';
import { createHttpServer } from './web/httpServer';
import { isEmpty, seedDemo } from '../seeds/demo';

async function seedIfEmpty(ctx: AppContext): Promise<void> {
  if (!ctx.config.demoSeed || !(await isEmpty(ctx.db))) return;
  ctx.logger.info('empty database: seeding the demo provider');
  const hasher = createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost);
  const now = ctx.clock.now();
  const r = await seedDemo(ctx.db, { now, today: dayOf(now, ctx.config.timeZone), timeZone: ctx.config.timeZone, hashPassword: hasher.hash });
  ctx.logger.info({ contracts: r.contracts }, 'empty database: demo provider seeded (login 100001 / centra2026)');
}

async function main(): Promise<void> {
  const ctx = await boot();
  await seedIfEmpty(ctx);
  const app = createApp(ctx);
  const server = createHttpServer(app, ctx.config).listen(ctx.config.port, ctx.config.host);
  let scheduler: { stop: () => Promise<void> } | null = null;
  let stopping = false;
  server.on('listening', () => {
    ctx.logger.info({ url: `http://${ctx.config.host}:${ctx.config.port}` }, 'kabinet is listening');
    if (ctx.config.billing.scheduler && !stopping) scheduler = startScheduler(ctx); // listen first, then catch up
  });
  server.on('error', (err) => {
    ctx.logger.fatal({ err }, 'cannot listen');
    process.exit(1);
  });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down: finishing requests in flight');
    stopChargeRuns(); // a catch-up finishes the day in hand and stops there
    const schedulerStopped = scheduler?.stop();
    const force = setTimeout(() => {
      ctx.logger.warn('requests still running after the shutdown timeout: closing them');
      server.closeAllConnections();
    }, ctx.config.shutdownTimeoutMs);
    force.unref();
    server.close(async () => {
      await schedulerStopped;
      await ctx.db.destroy();
      ctx.logger.info('database closed, bye');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof DatabaseOpenError) {
    process.stderr.write(`kabinet: ${err.message}\n`); // the operator's mistake, not the code's: no stack trace
    process.exit(1);
  }
  process.stderr.write(`kabinet failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
