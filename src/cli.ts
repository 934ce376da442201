// Ops commands: `npx kabinet <command>` (bin/kabinet.js, the built code) or `npm run cli -- <command>` (builds first).
// Each prints what it did and exits non-zero on failure.
//   migrate                              apply migrations
//   seed [--force]                       the demo provider into an empty database (refused in production without --force)
//   seed:large --contracts N [--months M] many contracts for benchmarks (into an empty database)
//   billing run --date YYYY-MM-DD         the daily charge run for every day not yet charged, up to that day
//   payments refund <paymentId> [amount]  staff: a full or partial refund of a card payment through the gateway
//   payments reconcile                    ask the gateway about card payments still pending, then run autopayment
//   outbox list [--state queued|sent|failed] [--limit N]   the newest SMS and e-mail in the outbox (npm run outbox -- list)
//   outbox send                          send what is due now (the scheduler does this every minute)
//   outbox retry ID                      put a failed message back in the queue
//   jobs list [--state queued|done|failed] [--limit N]   the newest jobs (npm run jobs -- list --state failed)
//   jobs retry ID                        run a failed job again (due now, attempts from zero)
//   backup FILE                          an online copy of the database (SQLite backup API / pg_dump -Fc); no migrations first
//   restore FILE [--force]               put a backup in place of the database (refused while it is in use without --force)
//   staff create LOGIN --role admin|cashier|support|content [--name "…"] [--password-stdin]
//   staff reset-password LOGIN [--password-stdin]   a new password, printed once (or read from stdin)
//   retention run                        purge personal data past its period now (the scheduler does it daily)
//   import-contracts FILE.csv [--dry-run] [--passwords-out FILE]   contracts from an old billing (docs/import-contracts.md)
//   copy-to-postgres --to postgres://…   DATABASE_FILE copied into an empty PostgreSQL database, then checked (src/copy)
//   clock show | set 2027-01-01T00:05 | advance 90m|12h|3d | reset   the testers' clock, development and test only
//                                        (src/test-clock, docs/testing.md): a move forward does the scheduler's work of
//                                        the interval in order before it returns
//   fixtures check FILE                  a tester's fixture file checked, every problem as FILE:LINE: field: message
//   fixtures load FILE [--into DATABASE_FILE | DATABASE_URL] [--replace]   the fixture into an empty database (docs/testing.md)
//   fixtures dump --contracts 100001,100002 > FILE   those contracts' state now, as a fixture (src/fixtures)
import { createPasswordHasher } from './auth/passwords';
import { chargeThrough } from './billing/jobs';
import { lastChargeDay } from './billing/queries';
import { checkBalance } from './billing/service';
import { boot } from './boot';
import { copyToPostgresCommand } from './copy/command';
import { importContractsCommand } from './import-contracts/command';
import { clockCommand } from './test-clock/command';
import { fixturesCommand, fixturesDump } from './fixtures/command';
import type { AppContext } from './context';
import { databaseLabel } from './db';
import { dayOf, isDay } from './lib/dates';
import { isEmpty, seedDemo } from '../seeds/demo';
import { seedLarge } from '../seeds/large';
import { formatMoney, parseMoney } from './lib/money';
import { createServices } from './services';
import { JOB_STATES, listJobs, retryFailedJob, type JobState } from './jobs/service';
import { backupDatabase, restoreDatabase } from './backup/service';
import { readConfig } from './boot';
import { runRetention } from './retention/service';
import { createStaff, resetStaffPassword } from './staff/service';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
function intFlag(args: string[], name: string, def: number, min: number, max: number): number {
  const v = flag(args, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return Number(v);
}

const out = (line: string) => process.stdout.write(line + '\n');

async function requireEmpty(ctx: AppContext) {
  if (!(await isEmpty(ctx.db))) throw new Error(`the database ${databaseLabel(ctx.config.database)} is not empty: seed only an empty one (set DATABASE_FILE to a new file, or DATABASE_URL to an empty database)`);
}

async function run(ctx: AppContext, [command, ...args]: string[]): Promise<void> {
  const now = ctx.clock.now();
  const today = dayOf(now, ctx.config.timeZone);
  const hasher = () => createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost);
  const services = createServices(ctx);
  switch (command) {
    case 'migrate':
      out('migrations applied');
      return;
    case 'seed': {
      if (ctx.config.isProduction && !args.includes('--force')) throw new Error('refusing to load demo data in production (add --force if you mean it)');
      await requireEmpty(ctx);
      const r = await seedDemo(ctx.db, { now, today, timeZone: ctx.config.timeZone, hashPassword: hasher().hash });
      out(`demo provider seeded: ${r.contracts} contracts`);
      return;
    }
    case 'seed:large': {
      if (ctx.config.isProduction) throw new Error('refusing to load benchmark data in production');
      await requireEmpty(ctx);
      const contracts = intFlag(args, '--contracts', 100_000, 1, 1_000_000);
      const months = intFlag(args, '--months', 12, 1, 60);
      const started = Date.now();
      const r = await seedLarge(ctx.db, { contracts, months, now, today, timeZone: ctx.config.timeZone, hashPassword: hasher().hash });
      out(`large seed: ${r.contracts} contracts, ${r.ledgerEntries} ledger entries, ${r.payments} payments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const check = await checkBalance(ctx.db, 1);
      if (check.cached !== check.ledger) throw new Error('balance of contract 1 differs from its ledger');
      return;
    }
    case 'billing': {
      if (args[0] !== 'run') throw new Error('usage: billing run --date YYYY-MM-DD');
      const date = args.includes('--date') ? (flag(args, '--date') ?? '') : today;
      if (!isDay(date)) throw new Error(`--date must be a day like 2026-11-24, not "${date}"`);
      if (date > today) throw new Error(`${date} has not come yet in ${ctx.config.timeZone} (today is ${today})`);
      const last = await lastChargeDay(ctx.db);
      if (last && date <= last) {
        out(`${date} is charged already (days are charged through ${last}): nothing to do`);
        return;
      }
      const started = Date.now();
      for (const r of await chargeThrough(ctx, date)) {
        out(`${r.day}: ${r.alreadyDone ? 'charged already' : `${r.contractsCharged} contracts charged, ${formatMoney(r.totalKopecks)}, ${r.blocked} blocked`}`);
      }
      out(`done in ${((Date.now() - started) / 1000).toFixed(2)} s`);
      return;
    }
    case 'payments': {
      const online = services.cardPayments;
      if (args[0] === 'refund') {
        const id = args[1] ?? '';
        if (!/^\d{1,9}$/.test(id)) throw new Error('usage: payments refund <paymentId> [amount in rubles, e.g. 150,50]');
        const amount = args[2] === undefined ? undefined : parseMoney(args[2]);
        if (amount === null || amount === 0) throw new Error(`the amount must be rubles like 150 or 150,50, not "${args[2]}"`);
        const r = await online.refund(Number(id), amount);
        out(`${r.created ? 'refunded' : 'already refunded'}: ${formatMoney(r.amount)} of payment ${id} (gateway refund ${r.refundId})`);
        return;
      }
      if (args[0] === 'reconcile') {
        const r = await online.reconcile();
        out(`reconciled: ${r.checked} checked, ${r.credited} credited, ${r.canceled} canceled, ${r.failed} could not be asked`);
        const a = await services.autopay.run();
        out(`autopayment: ${a.created} charges due, ${a.tried} tried`);
        return;
      }
      throw new Error('usage: payments refund <paymentId> [amount] | payments reconcile');
    }
    case 'outbox': {
      const outbox = services.outbox;
      if (args[0] === 'list') {
        const state = flag(args, '--state');
        if (state !== undefined && !['queued', 'sent', 'failed'].includes(state)) throw new Error('--state must be queued, sent or failed');
        const rows = await outbox.list({ state, limit: intFlag(args, '--limit', 50, 1, 10_000) });
        out(['id', 'created_at', 'channel', 'recipient', 'topic', 'state', 'attempts', 'next_try_at', 'sent_at', 'last_error / text'].join('\t'));
        for (const r of rows) {
          out([r.id, r.created_at, r.channel, r.recipient, r.topic, r.state, r.attempts, r.state === 'queued' ? r.next_try_at : '', r.sent_at ?? '', (r.last_error ?? r.body).replace(/\s+/g, ' ').slice(0, 80)].join('\t'));
        }
        out(`${rows.length} message(s)`);
        return;
      }
      if (args[0] === 'send') {
        out(JSON.stringify(await outbox.runDue(1000)));
        return;
      }
      if (args[0] === 'retry') {
        const id = args[1] ?? '';
        if (!/^\d{1,12}$/.test(id)) throw new Error('usage: outbox retry ID');
        if (!(await outbox.retry(Number(id)))) throw new Error(`message ${id} is not in state failed`);
        out(`message ${id} queued again`);
        return;
      }
      throw new Error('usage: outbox list [--state queued|sent|failed] [--limit N] | outbox send | outbox retry ID');
    }
    case 'jobs': {
      if (args[0] === 'list') {
        const state = flag(args, '--state');
        if (state !== undefined && !(state in JOB_STATES)) throw new Error('--state must be queued, done or failed');
        const rows = await listJobs(ctx, { state: state as JobState | undefined, limit: intFlag(args, '--limit', 50, 1, 10_000) });
        out(['id', 'kind', 'state', 'attempts', 'run_at', 'finished_at', 'key', 'last_error'].join('\t'));
        for (const r of rows) {
          out([r.id, r.kind, r.state, r.attempts, r.run_at, r.finished_at ?? '', r.idempotency_key, (r.last_error ?? '').replace(/\s+/g, ' ').slice(0, 120)].join('\t'));
        }
        out(`${rows.length} job(s)`);
        return;
      }
      if (args[0] === 'retry') {
        const id = args[1] ?? '';
        if (!/^\d{1,12}$/.test(id)) throw new Error('usage: jobs retry ID');
        const r = await retryFailedJob(ctx, Number(id));
        if (r.kind === 'missing') throw new Error(`there is no job ${id}`);
        if (r.kind === 'not-failed') throw new Error(`job ${id} is ${r.state}, not failed: nothing changed`);
        out(`job ${id} queued again: the scheduler runs it within a minute`);
        return;
      }
      throw new Error('usage: jobs list [--state queued|done|failed] [--limit N] | jobs retry ID');
    }
    case 'staff': {
      const login = args[1] ?? '';
      const password = args.includes('--password-stdin') ? await passwordFromStdin() : undefined;
      if (args[0] === 'create' && login && !login.startsWith('--')) {
        const role = flag(args, '--role');
        if (!role) throw new Error('--role is required: admin, cashier, support or content');
        const r = await createStaff(ctx, { login, role, name: flag(args, '--name'), password });
        out(`staff account "${r.login}" (${r.role}) created${r.generated ? '; its password, shown this once:' : ''}`);
        if (r.generated) out(r.password);
        return;
      }
      if (args[0] === 'reset-password' && login && !login.startsWith('--')) {
        const r = await resetStaffPassword(ctx, { login, password });
        out(`password of "${r.login}" changed${r.generated ? '; the new one, shown this once:' : ''}`);
        if (r.generated) out(r.password);
        return;
      }
      throw new Error('usage: staff create LOGIN --role admin|cashier|support|content [--name "…"] [--password-stdin] | staff reset-password LOGIN [--password-stdin]');
    }
    case 'import-contracts':
      process.exitCode = await importContractsCommand(ctx, args, out);
      return;
    case 'clock':
      await clockCommand(ctx, args, out);
      return;
    case 'fixtures':
      await fixturesDump(ctx, args, out);
      return;
    case 'retention': {
      if (args[0] !== 'run') throw new Error('usage: retention run');
      const r = await runRetention(ctx);
      out(`retention: ${r.outboxBlanked} outbox messages blanked, ${r.recoveryCodes} recovery codes, ${r.recoveryAttempts} recovery attempts, ${r.contactChanges} contact changes, ${r.rateLimits} rate-limit counters, ${r.sessions} expired sessions deleted`);
      return;
    }
    default:
      throw new Error(`unknown command "${command ?? ''}": migrate | seed | seed:large | billing run --date YYYY-MM-DD | payments refund|reconcile | outbox list|send|retry | jobs list|retry | backup FILE | restore FILE [--force] | staff create|reset-password | retention run | import-contracts FILE.csv [--dry-run] | copy-to-postgres --to URL | clock show|set|advance|reset | fixtures check|load|dump`);
  }
}

/** The password piped in (`… --password-stdin < file`): everything up to the end, one trailing newline dropped. */
async function passwordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('--password-stdin reads the password from a pipe: printf %s "$PASSWORD" | kabinet staff …');
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

/** Commands that must not migrate the database first: they save it or replace it as it is. */
async function runWithoutBoot([command, ...args]: string[]): Promise<void> {
  const config = readConfig();
  const file = args.find((a) => !a.startsWith('--'));
  if (command === 'backup') {
    if (!file) throw new Error('usage: backup FILE (e.g. backups/kabinet-$(date +%F).sqlite, or .dump on PostgreSQL)');
    const r = await backupDatabase(config, file);
    out(`backup written: ${r.file} (${(r.bytes / 1048576).toFixed(1)} MB, ${r.migrations} migrations, ${r.seconds.toFixed(1)} s)`);
    return;
  }
  if (!file) throw new Error('usage: restore FILE [--force]');
  const r = await restoreDatabase(config, file, { force: args.includes('--force'), now: new Date(), say: out });
  if (r.savedCurrent) out(`the database as it was is saved in ${r.savedCurrent}`);
  out(`restored ${r.from} into ${r.into} (${r.migrations} migrations${r.pending ? `; the next start applies ${r.pending} newer ones` : ''})`);
}

const argv = process.argv.slice(2);
// backup, restore and copy-to-postgres must not migrate the database first (copy-to-postgres refuses a source with
// pending migrations instead).
const err = (line: string) => process.stderr.write(line + '\n');
// fixtures check and load pick (and may empty) their own database: no boot, no migration of the configured one.
const done = argv[0] === 'fixtures' && (argv[1] === 'check' || argv[1] === 'load')
  ? fixturesCommand(readConfig(), argv.slice(1), out, err).then((code) => {
    process.exitCode = code;
  })
  : argv[0] === 'copy-to-postgres'
  ? copyToPostgresCommand(readConfig(), argv.slice(1), out).then((code) => {
    process.exitCode = code;
  })
  : ['backup', 'restore'].includes(argv[0] ?? '')
  ? runWithoutBoot(argv)
  : boot().then(async (ctx) => {
    try {
      await run(ctx, argv);
    } finally {
      await ctx.db.destroy();
    }
  });
done.catch((err) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
