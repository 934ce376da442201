// npm run bench [-- --contracts N] [--duration S] [--rounds R] [--connections C] [--all-ceilings] [--no-docs] [--only notifications|pg|search]
// --only search: the console's contract search on both engines (bench/search.ts), written below the notes mark.
// --only notifications: the payment-notifications section alone (bench/notifications.ts), written below the notes mark.
// --only pg: the PostgreSQL rows alone, with the SQLite rows they are compared with (dashboard, charge run,
// notifications), written below the notes mark.
// One run: a fresh large seed, the app in production mode, bare ceiling servers, the same seed in PostgreSQL with
// the app on it (bench/postgres.ts), interleaved load runs, the first-load weight of the dashboard, then the daily
// charge run over the same databases (bench/chargeRun.ts) and the payment notifications on both engines; prints the
// table and writes docs/benchmarks.md. Exit 1 only when something broke (a failed sign-in, a non-2xx answer, a
// connection error), never for a missed target.
import fs from 'node:fs';
import path from 'node:path';
import { firstLoad, httpGet, signIn, type FirstLoad } from './http';
import { chargeChecks, chargeRatioCheck, chargeSection, measureChargeRun, type ChargeBench } from './chargeRun';
import { healthzChecks, healthzSection, measureHealthzDuringCharge } from './healthzDuringCharge';
import { measureNotifications, notificationChecks, notificationProblems, notificationRatioCheck, notificationSection, type NotificationBench } from './notifications';
import { childrenOf, procCpu, seedLargePostgres, startAppOnPostgres, startPostgres, type PostgresServer } from './postgres';
import { cleanup, out, ROOT, rssSampler, secret, seedLarge, startApp, startBare, tempDir, type BareBody, type BareMode, type Child, type SeedResult } from './lib';
import { measureSearch, searchChecks, searchSection } from './search';
import { measureRoundRobin, type MeasureOptions, type Summary, type Target } from './measure';
import { checksTable, documentMarkdown, machine, NOTES_MARK, withKeptNotes, fmt, pct, resultsMarkdown, resultsTable, table, type Check, type Report, type Section } from './report';

type Only = 'notifications' | 'pg' | 'search';
type Args = { contracts: number; measure: MeasureOptions; allCeilings: boolean; writeDocs: boolean; only: Only | null };

function parseArgs(argv: string[]): Args {
  const num = (name: string, def: number, min: number, max: number) => {
    const i = argv.indexOf(name);
    if (i < 0) return def;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${name} must be a number from ${min} to ${max}`);
    return v;
  };
  const known = new Set(['--contracts', '--duration', '--rounds', '--connections', '--all-ceilings', '--no-docs', '--only']);
  const unknown = argv.filter((a, i) => a.startsWith('--') && !known.has(a) && !/^--(contracts|duration|rounds|connections|only)$/.test(argv[i - 1] ?? ''));
  if (unknown.length) throw new Error(`unknown option ${unknown[0]}: --contracts N --duration S --rounds R --connections C --all-ceilings --no-docs --only notifications|pg|search`);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
  if (only !== null && only !== 'notifications' && only !== 'pg' && only !== 'search') throw new Error('--only takes: notifications, pg, search');
  return {
    contracts: Math.round(num('--contracts', 100_000, 1, 1_000_000)),
    measure: { durationSec: Math.round(num('--duration', 5, 1, 600)), rounds: Math.round(num('--rounds', 3, 1, 15)), connections: Math.round(num('--connections', 50, 1, 1000)), warmupSec: 1 },
    allCeilings: argv.includes('--all-ceilings'),
    writeDocs: !argv.includes('--no-docs'),
    only: only as Only | null,
  };
}

/** The app's pages under load, and the one sign-in they all use. */
const APP_PAGES = [
  { key: 'dashboard', name: 'app: dashboard GET /cabinet', path: '/cabinet', headers: {} },
  { key: 'balance', name: 'app: balance fragment GET /cabinet/balance (htmx)', path: '/cabinet/balance', headers: { 'HX-Request': 'true' } },
  { key: 'history', name: 'app: payment history page 1 GET /cabinet/payments', path: '/cabinet/payments', headers: {} },
] as const;
const CEILING_NAMES: Record<BareMode, string> = { node: 'bare node:http', express: 'bare Express 5 route' };

/** Fetches each app page once (as autocannon will ask, no gzip): the bytes the ceilings send, and a check it is a 200. */
async function appBodies(app: Child, cookie: string): Promise<Map<string, BareBody>> {
  const bodies = new Map<string, BareBody>();
  for (const p of APP_PAGES) {
    const r = await httpGet(app.url + p.path, { Cookie: cookie, ...p.headers });
    if (r.status !== 200) throw new Error(`${p.name} answered ${r.status} to the signed-in cookie`);
    if (r.headers['content-encoding']) throw new Error(`${p.name} came ${r.headers['content-encoding']}-encoded without Accept-Encoding`);
    bodies.set(p.key, { path: p.path, body: r.body, contentType: String(r.headers['content-type'] ?? 'text/html; charset=utf-8') });
  }
  if (!bodies.get('dashboard')!.body.toString('utf8').includes('100001')) throw new Error('the dashboard does not show contract 100001');
  return bodies;
}

function checksOf(summaries: Summary[], rss: { restingMb: number; maxMb: number }, load: FirstLoad): Check[] {
  const find = (name: string) => summaries.find((s) => s.target.name === name)!;
  const dash = find(APP_PAGES[0].name);
  const express = find(`${CEILING_NAMES.express}: dashboard bytes`);
  const node = find(`${CEILING_NAMES.node}: dashboard bytes`);
  const vsExpress = dash.reqPerSec / express.reqPerSec;
  const kb = load.bytes / 1024;
  return [
    { name: 'dashboard req/s ÷ bare Express req/s', value: pct(vsExpress), target: '≥ 50 %', pass: vsExpress >= 0.5 },
    { name: 'dashboard req/s ÷ bare node:http req/s', value: pct(dash.reqPerSec / node.reqPerSec), target: '—', pass: null },
    { name: 'server CPU per dashboard answer: app ÷ bare Express', value: `${fmt(dash.cpuMsPerReq, 2)} ÷ ${fmt(express.cpuMsPerReq, 2)} ms = ${fmt(dash.cpuMsPerReq / express.cpuMsPerReq, 1)}×`, target: '—', pass: null },
    { name: 'dashboard p99 latency', value: `${fmt(dash.p99, 1)} ms`, target: '< 25 ms', pass: dash.p99 < 25 },
    { name: 'app max RSS under load', value: `${fmt(rss.maxMb, 1)} MB`, target: '< 150 MB', pass: rss.maxMb < 150 },
    { name: 'app RSS signed in, before the load', value: `${fmt(rss.restingMb, 1)} MB`, target: '—', pass: null },
    { name: 'dashboard first load, gzipped', value: `${fmt(kb, 1)} KB`, target: '< 30 KB', pass: kb < 30 },
    { name: 'dashboard first load, requests', value: String(load.requests), target: '≤ 4', pass: load.requests <= 4 },
  ];
}

function firstLoadSection(load: FirstLoad, baseUrl: string): string {
  return table(
    ['request', 'encoding', 'bytes on the wire'],
    [...load.items.map((i) => [i.url.replace(baseUrl, ''), i.encoding, fmt(i.bytes)]), ['**total**', '', `**${fmt(load.bytes)}** (${fmt(load.bytes / 1024, 1)} KB)`]],
    2,
  );
}

type Stage = { dir: string; dbFile: string; pepper: string; seed: SeedResult; app: Child; cookie: string; bare: Record<BareMode, Child> | null };

/** A fresh large seed, the app on it (signed in as 100001), and (unless `ceilings` is false) the two ceilings serving the app's own bytes. */
async function setUp(args: Args, ceilings = true): Promise<Stage> {
  const dir = tempDir();
  const dbFile = path.join(dir, 'bench.sqlite');
  const pepper = secret(48); // the seed's password hashes depend on it: the app gets the same one

  out(`seeding ${fmt(args.contracts)} contracts into ${dbFile} ...`);
  const seed = await seedLarge({ dbFile, contracts: args.contracts, pepper });
  out(`  ${seed.summary}\n  seed took ${fmt(seed.seconds, 1)} s (whole command)`);

  const app = await startApp({ dbFile, pepper });
  out(`app (production, pid ${app.pid}) at ${app.url}`);
  const cookie = await signIn(app.url, '100001', 'centra2026');
  out('signed in as 100001');

  const bodies = await appBodies(app, cookie);
  if (!ceilings) return { dir, dbFile, pepper, seed, app, cookie, bare: null };
  const ceilingBodies = args.allCeilings ? [...bodies.values()] : [bodies.get('dashboard')!];
  const bare = { node: await startBare('node', ceilingBodies, dir), express: await startBare('express', ceilingBodies, dir) };
  out(`ceilings: bare node:http at ${bare.node.url}, bare Express at ${bare.express.url}`);
  return { dir, dbFile, pepper, seed, app, cookie, bare };
}

/**
 * The dashboard in other set-ups, measured in the same rounds as the SQLite app's (interleaved with it, so a noisy
 * patch hits all alike) and checked against its req/s. The PostgreSQL one is here; the WEB_CONCURRENCY=2 row (the
 * SQLite app with two web workers on the same file (setUpCluster below),
 * its CPU the primary's and the workers') belongs here too, as one more DashboardVariant.
 */
type DashboardVariant = { key: string; target: Target; minRatio: number | null; app: Child };

type PgStage = { server: PostgresServer; url: string; seed: SeedResult; variant: DashboardVariant };

/** The PostgreSQL cluster, the same seed in it, the app on it signed in as 100001. */
async function setUpPostgres(args: Args, stage: Stage): Promise<PgStage> {
  out('');
  const server = await startPostgres();
  const url = await server.database('kabinet_bench');
  out(`seeding ${fmt(args.contracts)} contracts into PostgreSQL ...`);
  const seed = await seedLargePostgres({ url, contracts: args.contracts, pepper: stage.pepper });
  out(`  ${seed.summary}\n  seed took ${fmt(seed.seconds, 1)} s (whole command)`);
  const app = await startAppOnPostgres({ url, dbFile: stage.dbFile, pepper: stage.pepper });
  const cookie = await signIn(app.url, '100001', 'centra2026');
  const page = await httpGet(`${app.url}/cabinet`, { Cookie: cookie });
  if (page.status !== 200 || !page.body.toString('utf8').includes('100001')) throw new Error(`the dashboard on PostgreSQL answered ${page.status} without contract 100001`);
  out('signed in as 100001 on PostgreSQL');
  const target: Target = { name: PG_DASHBOARD, url: `${app.url}/cabinet`, headers: { Cookie: cookie }, pid: app.pid, extraCpuSeconds: server.cpuSeconds };
  return { server, url, seed, variant: { key: 'pg', target, minRatio: 0.7, app } };
}

const PG_DASHBOARD = 'app on PostgreSQL: dashboard GET /cabinet (CPU: app + PostgreSQL)';

const CLUSTER_DASHBOARD = 'app on SQLite×2: dashboard GET /cabinet, WEB_CONCURRENCY=2 (CPU: primary + workers)';

/**
 * The SQLite app with two web workers (node:cluster) on the same file as the single-process app, signed in as
 * 100001. Its CPU per answer is the primary's and its workers' (the primary hands out the connections).
 */
async function setUpCluster(stage: Stage): Promise<DashboardVariant> {
  const app = await startApp({ dbFile: stage.dbFile, pepper: stage.pepper, env: { WEB_CONCURRENCY: '2', BILLING_SCHEDULER: 'false' } });
  out(`app on SQLite with WEB_CONCURRENCY=2 (production, primary pid ${app.pid}) at ${app.url}`);
  const cookie = await signIn(app.url, '100001', 'centra2026');
  const page = await httpGet(`${app.url}/cabinet`, { Cookie: cookie });
  if (page.status !== 200 || !page.body.toString('utf8').includes('100001')) throw new Error(`the dashboard with two workers answered ${page.status} without contract 100001`);
  const workers = () => childrenOf(app.pid).reduce((sum, pid) => sum + procCpu(pid, false), 0);
  const target: Target = { name: CLUSTER_DASHBOARD, url: `${app.url}/cabinet`, headers: { Cookie: cookie }, pid: app.pid, extraCpuSeconds: workers };
  return { key: 'cluster', target, minRatio: null, app };
}

function variantChecks(summaries: Summary[], variants: DashboardVariant[]): Check[] {
  const sqlite = summaries.find((s) => s.target.name === APP_PAGES[0].name)!;
  return variants.flatMap((v) => {
    const s = summaries.find((x) => x.target === v.target)!;
    const ratio = s.reqPerSec / sqlite.reqPerSec;
    const label = v.target.name.replace(/^app on (\S+): dashboard.*$/, 'dashboard on $1').replace('SQLite×2', 'SQLite, WEB_CONCURRENCY=2');
    return [
      { name: `${label} req/s ÷ dashboard on SQLite req/s`, value: `${fmt(s.reqPerSec)} ÷ ${fmt(sqlite.reqPerSec)} = ${pct(ratio)}`, target: v.minRatio === null ? '—' : `≥ ${pct(v.minRatio)}`, pass: v.minRatio === null ? null : ratio >= v.minRatio },
      { name: `server CPU per dashboard answer: ${label.replace('dashboard on ', '')} ÷ SQLite`, value: `${fmt(s.cpuMsPerReq, 2)} ÷ ${fmt(sqlite.cpuMsPerReq, 2)} ms = ${fmt(s.cpuMsPerReq / sqlite.cpuMsPerReq, 2)}×`, target: '—', pass: null },
      { name: `${label} p99 latency`, value: `${fmt(s.p99, 1)} ms`, target: '—', pass: null },
    ];
  });
}

/** What the PostgreSQL part was run on, for the document. */
function postgresSection(pg: PgStage, sqliteSeed: SeedResult): Section {
  return {
    title: 'The PostgreSQL part',
    markdown: `PostgreSQL ${pg.server.version} from Debian (/usr/lib/postgresql), a cluster of the bench's own started by
test/support/postgres.js (initdb into a temp dir, a free port on 127.0.0.1, shared_buffers 128 MB, the server's other
defaults) with ${pg.server.settings.map((x) => `\`${x}\``).join(', ')}: a commit does not wait for the disk, as on the SQLite
side (WAL with synchronous=NORMAL). The same \`seed:large\` (${pg.seed.summary}; the whole command ${fmt(pg.seed.seconds, 1)} s, SQLite's
${fmt(sqliteSeed.seconds, 1)} s), then the app as in production with DATABASE_URL (a pool of up to 10 connections), signed in as
100001. The server runs on the same 2 cores as the app and autocannon. Its dashboard is measured in the same rounds as
the SQLite app's; its "server CPU ms/req" is the app's CPU time plus that of every PostgreSQL process (the postmaster,
its backends and helpers, and those it reaped) over the run, divided by the answers.`,
  };
}

function targetsOf(stage: Stage, allCeilings: boolean, variants: DashboardVariant[], pages = APP_PAGES.map((p) => p.key)): Target[] {
  const targets: Target[] = APP_PAGES.filter((p) => pages.includes(p.key)).map((p) => ({ name: p.name, url: stage.app.url + p.path, headers: { Cookie: stage.cookie, ...p.headers }, pid: stage.app.pid }));
  targets.push(...variants.map((v) => v.target));
  for (const mode of ['node', 'express'] as const) {
    for (const p of APP_PAGES) {
      if (stage.bare && (p.key === 'dashboard' || allCeilings)) targets.push({ name: `${CEILING_NAMES[mode]}: ${p.key} bytes`, url: stage.bare[mode].url + p.path, pid: stage.bare[mode].pid });
    }
  }
  return targets;
}

/** The load runs, with the app's RSS sampled throughout. */
async function loadPhase(stage: Stage, targets: Target[], m: MeasureOptions) {
  out(`\nmeasuring ${targets.length} targets × ${m.rounds} rounds, ${m.connections} connections, ${m.warmupSec} s warm-up + ${m.durationSec} s each (at least ${fmt((targets.length * m.rounds * (m.durationSec + m.warmupSec)) / 60, 1)} min)`);
  const restingMb = rssSampler(stage.app.pid).stop();
  const sampler = rssSampler(stage.app.pid, 200);
  const summaries = await measureRoundRobin(targets, m, (t, round, r) =>
    out(`  round ${round}  ${t.name.slice(0, 52).padEnd(52)} ${fmt(r.reqPerSec).padStart(7)} req/s  p50 ${fmt(r.p50, 1).padStart(5)} ms  p99 ${fmt(r.p99, 1).padStart(6)} ms  CPU ${fmt(r.cpuMsPerReq, 3)} ms/req  (warm-up ${fmt(r.warmupSec, 1)} s)${r.non2xx || r.errors ? `  !! non-2xx ${r.non2xx}, errors ${r.errors}` : ''}`),
  );
  return { summaries, rss: { restingMb, maxMb: sampler.stop() } };
}

/** The notifications section alone: printed, and kept between its own marks below the hand-written notes mark. */
async function onlyNotifications(args: Args): Promise<number> {
  const b = await measureNotifications(args.measure.connections);
  await cleanup();
  const section = notificationSection(b);
  const checks = notificationChecks(b);
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const md = `### ${section.title} (\`npm run bench -- --only notifications\`, ${when} UTC, ${machine()})\n\n${checksTable(checks)}\n\n${section.markdown}`;
  out('\n' + md + '\n');
  if (args.writeDocs) writeOnlyBlock('notifications', md);
  const problems = notificationProblems(b);
  if (problems.length || checks.some((c) => c.pass === false)) {
    process.stderr.write(`\n!!! THE BENCHMARK BROKE: ${[...problems, ...checks.filter((c) => c.pass === false).map((c) => c.name)].join('; ')}\n`);
    return 1;
  }
  return 0;
}

/** The console's search alone (both engines): printed, and kept between its own marks below the notes mark. */
async function onlySearch(args: Args): Promise<number> {
  const rows = await measureSearch(args.contracts);
  await cleanup();
  const section = searchSection(rows, args.contracts);
  const checks = searchChecks(rows);
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const md = `### ${section.title} (\`npm run bench -- --only search\`, ${when} UTC, ${machine()})\n\n${checksTable(checks)}\n\n${section.markdown}`;
  out('\n' + md + '\n');
  if (args.writeDocs) writeOnlyBlock('search', md);
  return 0;
}

/** An --only section in docs/benchmarks.md, between its own marks below the hand-written notes mark (replaced by the next such run). */
function writeOnlyBlock(only: Only, md: string): void {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  const begin = `<!-- bench --only ${only}: begin -->`;
  const end = `<!-- bench --only ${only}: end -->`;
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `${NOTES_MARK}\n`;
  const block = `${begin}\n${md}\n${end}`;
  const at = previous.indexOf(begin);
  const next = at >= 0 ? previous.slice(0, at) + block + previous.slice(previous.indexOf(end) + end.length) : `${previous.replace(/\n*$/, '')}\n\n${block}\n`;
  fs.writeFileSync(file, next);
  out(`written: ${path.relative(process.cwd(), file) || file}`);
}

/** The engines' charge runs and notifications, one after the other, with nothing else running. */
async function afterLoad(stage: Stage, pg: PgStage, args: Args) {
  const chargesSqlite = await measureChargeRun(stage.dbFile, 3);
  const chargesPg = await measureChargeRun(pg.url, 3, pg.server.cpuSeconds);
  const notificationsSqlite = await measureNotifications(args.measure.connections);
  const notificationsPg = await measureNotifications(args.measure.connections, 10_000, await pg.server.database('kabinet_notifications'));
  return { chargesSqlite, chargesPg, notificationsSqlite, notificationsPg };
}

function postgresChecks(c: { chargesSqlite: ChargeBench; chargesPg: ChargeBench; notificationsSqlite: NotificationBench; notificationsPg: NotificationBench }): Check[] {
  return [...chargeChecks(c.chargesPg), chargeRatioCheck(c.chargesSqlite, c.chargesPg), ...notificationChecks(c.notificationsPg), notificationRatioCheck(c.notificationsSqlite, c.notificationsPg)];
}

/**
 * --only pg: the PostgreSQL rows and the SQLite rows they are compared with: the dashboard on both (interleaved), the
 * charge run on both, the notifications on both. No ceilings, no other pages, no /healthz run, no first load.
 */
async function onlyPostgres(args: Args): Promise<number> {
  const started = Date.now();
  const stage = await setUp(args, false);
  const pg = await setUpPostgres(args, stage);
  const { summaries } = await loadPhase(stage, targetsOf(stage, false, [pg.variant], ['dashboard']), args.measure);
  for (const server of [stage.app, pg.variant.app]) await server.stop();
  const after = await afterLoad(stage, pg, args);
  await cleanup();
  const problems = [
    ...summaries.filter((s) => s.non2xx || s.errors).map((s) => `${s.target.name}: ${fmt(s.non2xx)} non-2xx answers, ${fmt(s.errors)} connection errors/timeouts`),
    ...notificationProblems(after.notificationsSqlite), ...notificationProblems(after.notificationsPg),
  ];
  const checks = [...variantChecks(summaries, [pg.variant]), ...postgresChecks(after)];
  const sections = [postgresSection(pg, stage.seed), chargeSection(after.chargesSqlite), chargeSection(after.chargesPg), notificationSection(after.notificationsSqlite), notificationSection(after.notificationsPg)];
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const m = args.measure;
  const md = [
    `### PostgreSQL beside SQLite (\`npm run bench -- --only pg\`, ${when} UTC, ${machine()})`,
    `${fmt(args.contracts)} contracts; autocannon ${m.connections} connections, ${m.rounds} interleaved rounds of ${m.warmupSec} s warm-up + ${m.durationSec} s (method as above); the run took ${fmt((Date.now() - started) / 1000)} s.`,
    ...(problems.length ? [`> **THE RUN BROKE — these numbers are not valid:**\n${problems.map((p) => `> - ${p}`).join('\n')}`] : []),
    resultsTable(summaries),
    checksTable(checks),
    ...sections.map((s) => `#### ${s.title}\n\n${s.markdown}`),
  ].join('\n\n');
  out('\n' + md + '\n');
  if (args.writeDocs) writeOnlyBlock('pg', md);
  if (problems.length) {
    process.stderr.write(`\n!!! THE BENCHMARK BROKE: ${problems.join('; ')}\n`);
    return 1;
  }
  return 0;
}

async function main(): Promise<number> {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  if (args.only === 'notifications') return onlyNotifications(args);
  if (args.only === 'pg') return onlyPostgres(args);
  if (args.only === 'search') return onlySearch(args);
  const stage = await setUp(args);
  const pg = await setUpPostgres(args, stage);
  const variants = [pg.variant, await setUpCluster(stage)];
  const { summaries, rss } = await loadPhase(stage, targetsOf(stage, args.allCeilings, variants), args.measure);
  const load = await firstLoad(`${stage.app.url}/cabinet`, stage.cookie);
  // the charge runs have the databases and the cores alone
  for (const server of [stage.app, stage.bare!.node, stage.bare!.express, ...variants.map((v) => v.app)]) await server.stop();
  const healthz = await measureHealthzDuringCharge(stage.dbFile, stage.pepper); // the next day, charged by the app's own process
  const after = await afterLoad(stage, pg, args);
  const charges = after.chargesSqlite;
  const notifications = after.notificationsSqlite;
  await cleanup(); // the temp dir with the database and the PostgreSQL cluster go

  const report: Report = {
    date: new Date(),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    method: { ...args.measure, contracts: args.contracts },
    seed: stage.seed,
    summaries,
    checks: [
      ...checksOf(summaries, rss, load), ...variantChecks(summaries, variants), ...healthzChecks(healthz), ...chargeChecks(charges),
      ...notificationChecks(notifications), ...postgresChecks(after),
    ],
    sections: [
      { title: 'Dashboard first load', markdown: firstLoadSection(load, stage.app.url) }, postgresSection(pg, stage.seed), healthzSection(healthz),
      chargeSection(charges), chargeSection(after.chargesPg), notificationSection(notifications), notificationSection(after.notificationsPg),
    ],
    problems: [
      ...summaries.filter((s) => s.non2xx || s.errors).map((s) => `${s.target.name}: ${fmt(s.non2xx)} non-2xx answers, ${fmt(s.errors)} connection errors/timeouts`),
      ...notificationProblems(notifications), ...notificationProblems(after.notificationsPg),
    ],
    totalSeconds: (Date.now() - started) / 1000,
  };
  out('\n' + resultsMarkdown(report) + '\n');
  out(`seed ${fmt(stage.seed.seconds, 1)} s; whole run ${fmt(report.totalSeconds)} s`);
  if (args.writeDocs) {
    const file = path.join(ROOT, 'docs', 'benchmarks.md');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, withKeptNotes(documentMarkdown(report), fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined));
    out(`written: ${path.relative(process.cwd(), file) || file}`);
  }
  if (report.problems.length) {
    process.stderr.write(`\n!!! THE BENCHMARK BROKE: ${report.problems.join('; ')}\n`);
    return 1;
  }
  return 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the servers and removing the temp database\n`);
    void cleanup().then(() => process.exit(130));
  });
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (err) => {
    process.stderr.write(`\n!!! bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await cleanup();
    process.exitCode = 1;
  });
