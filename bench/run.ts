// npm run bench [-- --contracts N] [--duration S] [--rounds R] [--connections C] [--all-ceilings] [--no-docs] [--only notifications]
// --only notifications: the payment-notifications section alone (bench/notifications.ts), written below the notes mark.
// One run: a fresh large seed, the app in production mode, bare ceiling servers, interleaved load runs, the
// first-load weight of the dashboard, then the daily charge run over the same database (bench/chargeRun.ts);
// prints the table and writes docs/benchmarks.md. Exit 1 only when something broke (a failed sign-in, a non-2xx
// answer, a connection error), never for a missed target.
import fs from 'node:fs';
import path from 'node:path';
import { firstLoad, httpGet, signIn, type FirstLoad } from './http';
import { chargeChecks, chargeSection, measureChargeRun } from './chargeRun';
import { healthzChecks, healthzSection, measureHealthzDuringCharge } from './healthzDuringCharge';
import { measureNotifications, notificationChecks, notificationProblems, notificationSection } from './notifications';
import { cleanup, out, ROOT, rssSampler, secret, seedLarge, startApp, startBare, tempDir, type BareBody, type BareMode, type Child, type SeedResult } from './lib';
import { measureRoundRobin, type MeasureOptions, type Summary, type Target } from './measure';
import { checksTable, documentMarkdown, machine, NOTES_MARK, withKeptNotes, fmt, pct, resultsMarkdown, table, type Check, type Report } from './report';

type Args = { contracts: number; measure: MeasureOptions; allCeilings: boolean; writeDocs: boolean; only: 'notifications' | null };

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
  if (unknown.length) throw new Error(`unknown option ${unknown[0]}: --contracts N --duration S --rounds R --connections C --all-ceilings --no-docs --only notifications`);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
  if (only !== null && only !== 'notifications') throw new Error('--only takes: notifications');
  return {
    contracts: Math.round(num('--contracts', 100_000, 1, 1_000_000)),
    measure: { durationSec: Math.round(num('--duration', 5, 1, 600)), rounds: Math.round(num('--rounds', 3, 1, 15)), connections: Math.round(num('--connections', 50, 1, 1000)), warmupSec: 1 },
    allCeilings: argv.includes('--all-ceilings'),
    writeDocs: !argv.includes('--no-docs'),
    only,
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

type Stage = { dbFile: string; pepper: string; seed: SeedResult; app: Child; cookie: string; bare: Record<BareMode, Child> };

/** A fresh large seed, the app on it (signed in as 100001), and the two ceilings serving the app's own bytes. */
async function setUp(args: Args): Promise<Stage> {
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
  const ceilingBodies = args.allCeilings ? [...bodies.values()] : [bodies.get('dashboard')!];
  const bare = { node: await startBare('node', ceilingBodies, dir), express: await startBare('express', ceilingBodies, dir) };
  out(`ceilings: bare node:http at ${bare.node.url}, bare Express at ${bare.express.url}`);
  return { dbFile, pepper, seed, app, cookie, bare };
}

function targetsOf(stage: Stage, allCeilings: boolean): Target[] {
  const targets: Target[] = APP_PAGES.map((p) => ({ name: p.name, url: stage.app.url + p.path, headers: { Cookie: stage.cookie, ...p.headers }, pid: stage.app.pid }));
  for (const mode of ['node', 'express'] as const) {
    for (const p of APP_PAGES) {
      if (p.key === 'dashboard' || allCeilings) targets.push({ name: `${CEILING_NAMES[mode]}: ${p.key} bytes`, url: stage.bare[mode].url + p.path, pid: stage.bare[mode].pid });
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
    out(`  round ${round}  ${t.name.padEnd(52)} ${fmt(r.reqPerSec).padStart(7)} req/s  p50 ${fmt(r.p50, 1).padStart(5)} ms  p99 ${fmt(r.p99, 1).padStart(6)} ms  CPU ${fmt(r.cpuMsPerReq, 3)} ms/req  (warm-up ${fmt(r.warmupSec, 1)} s)${r.non2xx || r.errors ? `  !! non-2xx ${r.non2xx}, errors ${r.errors}` : ''}`),
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
  if (args.writeDocs) {
    const file = path.join(ROOT, 'docs', 'benchmarks.md');
    const begin = '<!-- bench --only notifications: begin -->';
    const end = '<!-- bench --only notifications: end -->';
    const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `${NOTES_MARK}\n`;
    const block = `${begin}\n${md}\n${end}`;
    const at = previous.indexOf(begin);
    const next = at >= 0 ? previous.slice(0, at) + block + previous.slice(previous.indexOf(end) + end.length) : `${previous.replace(/\n*$/, '')}\n\n${block}\n`;
    fs.writeFileSync(file, next);
    out(`written: ${path.relative(process.cwd(), file) || file}`);
  }
  const problems = notificationProblems(b);
  if (problems.length || checks.some((c) => c.pass === false)) {
    process.stderr.write(`\n!!! THE BENCHMARK BROKE: ${[...problems, ...checks.filter((c) => c.pass === false).map((c) => c.name)].join('; ')}\n`);
    return 1;
  }
  return 0;
}

async function main(): Promise<number> {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  if (args.only === 'notifications') return onlyNotifications(args);
  const stage = await setUp(args);
  const { summaries, rss } = await loadPhase(stage, targetsOf(stage, args.allCeilings), args.measure);
  const load = await firstLoad(`${stage.app.url}/cabinet`, stage.cookie);
  for (const server of [stage.app, stage.bare.node, stage.bare.express]) await server.stop(); // the charge run has the database and the cores alone
  const healthz = await measureHealthzDuringCharge(stage.dbFile, stage.pepper); // the next day, charged by the app's own process
  const charges = await measureChargeRun(stage.dbFile, 3);
  const notifications = await measureNotifications(args.measure.connections);
  await cleanup(); // the temp dir with the database goes

  const report: Report = {
    date: new Date(),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    method: { ...args.measure, contracts: args.contracts },
    seed: stage.seed,
    summaries,
    checks: [...checksOf(summaries, rss, load), ...healthzChecks(healthz), ...chargeChecks(charges), ...notificationChecks(notifications)],
    sections: [{ title: 'Dashboard first load', markdown: firstLoadSection(load, stage.app.url) }, healthzSection(healthz), chargeSection(charges), notificationSection(notifications)],
    problems: [
      ...summaries.filter((s) => s.non2xx || s.errors).map((s) => `${s.target.name}: ${fmt(s.non2xx)} non-2xx answers, ${fmt(s.errors)} connection errors/timeouts`),
      ...notificationProblems(notifications),
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
