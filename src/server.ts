// The process: config -> db (migrate, demo seed when empty outside production) -> app -> listen -> scheduler.
// WEB_CONCURRENCY=N (N > 1): this process is the primary of a node:cluster. It migrates and seeds once, then forks
// N web workers that share the port and the database (sessions and rate limits live there); the scheduler runs in
// the first worker, and its turn is a lock across processes and machines (src/jobs/turns.ts). A worker that dies
// is forked again; SIGTERM to the primary stops every worker the graceful way below.
// The scheduler (and so a catch-up of days missed while the process was down) starts once the port is open, and
// the charge run works in a worker thread (src/billing/charges.ts): the site answers meanwhile.
// SIGTERM/SIGINT: stop accepting, let requests in flight finish, let a charge run finish the day in hand (the days
// after it are left for the next start), close the database, exit.
import cluster from 'node:cluster';
import { createApp } from './app';
import { createPasswordHasher } from './auth/passwords';
import { boot } from './boot';
import type { AppContext } from './context';
import { stopChargeRuns } from './billing/charges';
import { DatabaseOpenError } from './db';
import { startScheduler } from './schedule';
import { dayOf } from './lib/dates';
import { createServices } from './services';
import { TestClockRefused, watchClock } from './test-clock/dbClock';
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

/** The web worker's index (0 … N-1) under a cluster, or 0 alone: the scheduler runs in worker 0. */
const WORKER_INDEX_ENV = 'KABINET_WORKER_INDEX';

async function primary(ctx: AppContext): Promise<void> {
  await seedIfEmpty(ctx);
  await ctx.db.destroy(); // the workers open their own
  const n = ctx.config.webConcurrency;
  let stopping = false;
  const recentFailures: number[] = [];
  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      ctx.logger.error({ worker: index, code, signal }, 'web worker exited: starting another');
      const now = Date.now();
      recentFailures.push(now);
      while (recentFailures.length && recentFailures[0] < now - 30_000) recentFailures.shift();
      if (recentFailures.length > 3 * n) {
        ctx.logger.fatal('web workers keep failing: stopping');
        process.exit(1);
      }
      setTimeout(() => fork(index), 1000).unref();
    });
  };
  for (let i = 0; i < n; i++) fork(i);
  ctx.logger.info({ workers: n }, 'kabinet: web workers started');
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down the web workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is NonNullable<typeof w> => Boolean(w));
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers) {
      w.on('exit', () => {
        if (--left === 0) process.exit(0);
      });
      w.process.kill('SIGTERM');
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  const ctx = await boot();
  if (cluster.isPrimary && ctx.config.webConcurrency > 1) return primary(ctx);
  const workerIndex = Number(process.env[WORKER_INDEX_ENV] ?? 0);
  if (cluster.isPrimary) await seedIfEmpty(ctx);
  const stopClock = watchClock(ctx); // development and test: the testers' clock, read again every second
  const services = createServices(ctx); // one of each, shared by the app and the scheduler
  const app = createApp(ctx, services);
  const server = createHttpServer(app, ctx.config).listen(ctx.config.port, ctx.config.host);
  let scheduler: { stop: () => Promise<void> } | null = null;
  let stopping = false;
  server.on('listening', () => {
    ctx.logger.info({ url: `http://${ctx.config.host}:${ctx.config.port}`, ...(cluster.isWorker ? { worker: workerIndex } : {}) }, 'kabinet is listening');
    // listen first, then catch up; under a cluster the first worker runs it
    if (ctx.config.billing.scheduler && !stopping && workerIndex === 0) scheduler = startScheduler(ctx, services);
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
      stopClock();
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
  if (err instanceof DatabaseOpenError || err instanceof TestClockRefused) {
    process.stderr.write(`kabinet: ${err.message}\n`); // the operator's mistake, not the code's: no stack trace
    process.exit(1);
  }
  process.stderr.write(`kabinet failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
