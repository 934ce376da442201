// A child of the benchmark: the real app (createApp, production settings from the environment) listening on PORT,
// and in the same process, when the parent writes "go" on stdin, the charge run of the day after the last one
// charged, as the scheduler runs it (chargeThrough: a worker thread with its own connection). Prints "listening",
// then "running <day>" and "done <seconds> <contracts>" so the parent samples /healthz during the run alone; "quit" ends it.
import { createApp } from '../src/app';
import { chargeThrough } from '../src/billing/jobs';
import { lastChargeDay } from '../src/billing/queries';
import { boot } from '../src/boot';
import { addDays } from '../src/lib/dates';

async function main(): Promise<void> {
  const ctx = await boot();
  const app = createApp(ctx);
  const server = app.listen(ctx.config.port, ctx.config.host, () => process.stdout.write('listening\n'));
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', async (line: string) => {
    if (line.includes('quit')) {
      server.close();
      await ctx.db.destroy();
      process.exit(0);
    }
    if (!line.includes('go')) return;
    const day = addDays((await lastChargeDay(ctx.db)) ?? '2026-01-01', 1);
    process.stdout.write(`running ${day}\n`);
    const started = process.hrtime.bigint();
    const results = await chargeThrough(ctx, day);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`done ${seconds} ${results.reduce((n, r) => n + r.contractsCharged, 0)}\n`);
  });
}

main().catch((err) => {
  process.stderr.write(`healthzChild: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
