// The daily charge run over the large seed, next to its ceiling, on SQLite (a file) or PostgreSQL (a URL). The seed
// marks today as charged, so the engine runs the following days: each run is a child process (bench/chargeChild.ts)
// calling runChargeDay from dist/ for the day after the last one charged, with `now` at 00:05 provider time of that
// day, as the scheduler would. After each, the ceiling: the same rows (contract, amount, description, a key of the
// same shape) inserted again for a later day, into the same ledger_entries with its indexes: on SQLite by a plain
// better-sqlite3 loop in one transaction, on PostgreSQL by one INSERT of them all.
import { isPostgresUrl } from '../src/engine';
import { addDays } from '../src/lib/dates';
import type { ChildResult } from './chargeChild';
import { out, runNode } from './lib';
import { median } from './measure';
import { fmt, table, type Check, type Section } from './report';

/** serverCpuSeconds: on PostgreSQL, the CPU time the database server's processes used while the child ran. */
export type ChargeResult = ChildResult & { serverCpuSeconds?: number };
export type ChargeBench = { engine: 'sqlite' | 'postgres'; runs: ChargeResult[]; ceilings: ChargeResult[] };

/** Wall-time targets on this 2-core machine: SQLite's from issue 9, PostgreSQL's from issue 10. */
const TARGET_SECONDS = { sqlite: 3, postgres: 6 };
const TARGET_RSS_MB = 250;

async function child(args: string[], serverCpu?: () => number): Promise<ChargeResult> {
  const before = serverCpu?.();
  const stdout = await runNode('bench/chargeChild.js', args, { ...process.env, LOG_LEVEL: 'silent' });
  const r = JSON.parse(stdout.trim().split('\n').pop() ?? '') as ChargeResult;
  if (![r.seconds, r.cpuSeconds, r.rows, r.maxRssMb].every(Number.isFinite)) throw new Error(`chargeChild ${args[0]} printed ${stdout.trim()}`);
  if (serverCpu) r.serverCpuSeconds = serverCpu() - before!;
  return r;
}

/** `rounds` days, each charged by the engine and then written again by the plain loop. The database must be closed by everyone else. */
/** serverCpu: on PostgreSQL, the CPU seconds the server's processes have used so far (bench/postgres.ts). */
export async function measureChargeRun(database: string, rounds: number, serverCpu?: () => number): Promise<ChargeBench> {
  const engine = isPostgresUrl(database) ? 'postgres' : 'sqlite';
  const runs: ChildResult[] = [];
  const ceilings: ChildResult[] = [];
  out(`\ndaily charge run on ${ENGINE_NAME[engine]}: ${rounds} days, each engine then ceiling, each in its own process`);
  for (let i = 0; i < rounds; i++) {
    const run = await child(['engine', database], serverCpu);
    runs.push(run);
    const ceiling = await child(['ceiling', database, run.day, addDays(run.day, 1000)], serverCpu);
    ceilings.push(ceiling);
    out(`  ${run.day}  engine ${fmt(run.rows)} charges (${fmt(run.blocked)} blocked) in ${fmt(run.seconds, 2)} s (CPU ${fmt(run.cpuSeconds, 2)} s${run.serverCpuSeconds === undefined ? '' : ` + server ${fmt(run.serverCpuSeconds, 2)} s`}), peak RSS ${fmt(run.maxRssMb, 1)} MB  |  ${engine === 'sqlite' ? 'plain loop' : 'one INSERT'} ${fmt(ceiling.rows)} rows in ${fmt(ceiling.seconds, 2)} s (CPU ${fmt(ceiling.cpuSeconds, 2)} s), peak RSS ${fmt(ceiling.maxRssMb, 1)} MB`);
  }
  return { engine, runs, ceilings };
}

const ENGINE_NAME = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/** 'daily charge run' on SQLite (the names the earlier tables used), 'daily charge run on PostgreSQL' there. */
const runName = (b: ChargeBench) => (b.engine === 'sqlite' ? 'daily charge run' : 'daily charge run on PostgreSQL');

const perSecond = (r: ChildResult) => r.rows / r.seconds;

export function chargeChecks(b: ChargeBench): Check[] {
  const seconds = median(b.runs.map((r) => r.seconds));
  const cpuSeconds = median(b.runs.map((r) => r.cpuSeconds));
  const serverCpu = median(b.runs.map((r) => r.serverCpuSeconds ?? NaN));
  const rss = Math.max(...b.runs.map((r) => r.maxRssMb));
  const engineRate = median(b.runs.map(perSecond));
  const ceilingRate = median(b.ceilings.map(perSecond));
  const contracts = fmt(median(b.runs.map((r) => r.rows)));
  const name = runName(b);
  const target = TARGET_SECONDS[b.engine];
  const within = b.engine === 'sqlite' ? seconds < target : seconds <= target;
  return [
    { name: `${name}, ${contracts} charges: wall time (median of ${b.runs.length})`, value: `${fmt(seconds, 2)} s (CPU ${fmt(cpuSeconds, 2)} s${b.engine === 'postgres' ? ` in Node + ${fmt(serverCpu, 2)} s in PostgreSQL` : ''})`, target: `${b.engine === 'sqlite' ? '<' : '≤'} ${target} s`, pass: within },
    { name: `${name}: peak RSS of its process (largest)`, value: `${fmt(rss, 1)} MB`, target: `< ${TARGET_RSS_MB} MB`, pass: rss < TARGET_RSS_MB },
    { name: `${name} rows/s ÷ ${b.engine === 'sqlite' ? 'plain insert loop' : 'one plain INSERT'} rows/s`, value: `${fmt(engineRate)} ÷ ${fmt(ceilingRate)} = ${fmt((engineRate / ceilingRate) * 100)} %`, target: '—', pass: null },
  ];
}

/** The PostgreSQL run's wall time beside SQLite's, measured in the same bench run (medians). */
export function chargeRatioCheck(sqlite: ChargeBench, postgres: ChargeBench): Check {
  const s = median(sqlite.runs.map((r) => r.seconds));
  const p = median(postgres.runs.map((r) => r.seconds));
  return { name: 'daily charge run: PostgreSQL wall time ÷ SQLite wall time', value: `${fmt(p, 2)} ÷ ${fmt(s, 2)} s = ${fmt(p / s, 2)}×`, target: '—', pass: null };
}

function runRows(b: ChargeBench): string[][] {
  const server = (r: ChargeResult) => (b.engine === 'postgres' ? [r.serverCpuSeconds === undefined ? '—' : fmt(r.serverCpuSeconds, 2)] : []);
  return b.runs.flatMap((run, i) => {
    const c = b.ceilings[i];
    return [
      [`engine: runChargeDay ${run.day}`, fmt(run.rows), fmt(run.blocked), fmt(run.seconds, 2), fmt(run.cpuSeconds, 2), ...server(run), fmt(perSecond(run)), fmt(run.maxRssMb, 1)],
      [`ceiling: ${b.engine === 'sqlite' ? 'plain insert loop' : 'one plain INSERT'}, same rows`, fmt(c.rows), '—', fmt(c.seconds, 2), fmt(c.cpuSeconds, 2), ...server(c), fmt(perSecond(c)), fmt(c.maxRssMb, 1)],
    ];
  });
}

export function chargeSection(b: ChargeBench): Section {
  if (b.engine === 'postgres') return chargeSectionPostgres(b);
  const rows = runRows(b);
  return {
    title: 'Daily charge run',
    markdown: `${table(['run', 'charges written', 'blocked', 'seconds', 'CPU s', 'rows/s', 'peak RSS MB'], rows)}

The seed marks today as charged, so each engine run charges the next day: a child process (bench/chargeChild.ts) opens the
database as the app does (openDb) and calls \`runChargeDay\` from dist/ with \`now\` at 00:05 provider time of that day, as
the scheduler would (the CLI refuses a day that has not come). The time is that call alone: the candidates query, for each
contract a ledger row and a balance update (and, for those that fall below their limit, the block and its status row), the
charge_days row and the commit. Contracts blocked by one day are not charged the next, so later days charge a few fewer.
After each run, its ceiling: the same rows (contract, amount, description, a key of the same shape) inserted again for a
day far ahead by a plain better-sqlite3 prepared-statement loop in one transaction, into the same ledger_entries with its
indexes and the app's pragmas; reading the rows is not timed. "rows/s" counts ledger rows (wall time). "CPU s" is the
user + system CPU time the child spent in the same span (process.cpuUsage): wall time well above it means the run waited
for the disk or for a core shared with other work. Peak RSS is \`process.resourceUsage().maxRSS\` of that child, Node
itself included.`,
  };
}

function chargeSectionPostgres(b: ChargeBench): Section {
  return {
    title: 'Daily charge run on PostgreSQL',
    markdown: `${table(['run', 'charges written', 'blocked', 'seconds', 'CPU s (Node)', 'CPU s (PostgreSQL)', 'rows/s', 'peak RSS MB'], runRows(b))}

The same runs as on SQLite (above), over the same generated 100 000-contract seed loaded into PostgreSQL 15 (\`seed:large\`
with DATABASE_URL) on a cluster of the bench's own on this machine: the child process opens the database as the app does
(openDb with DATABASE_URL, a pool of pg connections) and calls \`runChargeDay\`, which on PostgreSQL is
\`chargeDayPostgres\` (src/billing/charges.ts): the day's charge_days row claimed first, the candidates read
\`FOR UPDATE OF c\`, the same per-contract rule as SQLite, then per 10 000 contracts one INSERT of the ledger rows, one
UPDATE of the balances and statuses and one INSERT of the status changes, each a JSON parameter (json_to_recordset).
"CPU s (Node)" is the child's own CPU time over the timed call, "CPU s (PostgreSQL)" that of the server's processes while the child ran
(from /proc: the postmaster, its backends and helpers, and those it reaped). The ceiling: the same
rows (contract, amount, description, a key of the same shape) inserted again for a day far ahead by ONE INSERT of them
all (a JSON parameter) in one transaction, into the same ledger_entries with its indexes; reading them is not timed.`,
  };
}
