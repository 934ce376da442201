// The benchmark's report: a markdown table for the terminal and docs/benchmarks.md. A later measurement (the
// daily charge run, say) adds a Section and, if it has a target, a Check; nothing here needs to change.
import os from 'node:os';
import type { Summary } from './measure';

/** A number against its target: pass is null when there is no target (shown for information). */
export type Check = { name: string; value: string; target: string; pass: boolean | null };
export type Section = { title: string; markdown: string };

export type Report = {
  date: Date;
  command: string;
  method: { connections: number; durationSec: number; warmupSec: number; rounds: number; contracts: number };
  seed: { seconds: number; summary: string };
  summaries: Summary[];
  checks: Check[];
  sections: Section[];
  problems: string[]; // anything that broke the run: printed loudly, and the exit code is 1
  totalSeconds: number;
};

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pct = (n: number) => `${fmt(n * 100, 0)} %`;

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export function table(headers: string[], rows: string[][], rightFrom = 1): string {
  const align = headers.map((_, i) => (i >= rightFrom ? '---:' : '---'));
  return [headers, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function resultsTable(summaries: Summary[]): string {
  return table(
    ['target', 'req/s (median)', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'non-2xx', 'errors', 'req/s of each run'],
    summaries.map((s) => [
      s.target.name,
      fmt(s.reqPerSec),
      fmt(s.p50, 1),
      fmt(s.p99, 1),
      Number.isNaN(s.cpuMsPerReq) ? '—' : fmt(s.cpuMsPerReq, 2),
      s.non2xx ? `**${fmt(s.non2xx)}**` : '0',
      s.errors ? `**${fmt(s.errors)}**` : '0',
      s.runs.map((r) => fmt(r.reqPerSec)).join(' / '),
    ]),
  );
}

export function checksTable(checks: Check[]): string {
  return table(
    ['measure', 'value', 'target', 'result'],
    checks.map((c) => [c.name, c.value, c.target, c.pass === null ? '—' : c.pass ? 'PASS' : '**MISS**']),
  );
}

/** The part shown both in the terminal and in the document. */
export function resultsMarkdown(r: Report): string {
  const parts = [];
  if (r.problems.length) parts.push(`> **THE RUN BROKE — these numbers are not valid:**\n${r.problems.map((p) => `> - ${p}`).join('\n')}`);
  parts.push(resultsTable(r.summaries), checksTable(r.checks));
  for (const s of r.sections) parts.push(`### ${s.title}\n\n${s.markdown}`);
  return parts.join('\n\n');
}

export function documentMarkdown(r: Report): string {
  const m = r.method;
  return `# Benchmarks

Measured by \`${r.command}\` (bench/run.ts) on ${r.date.toISOString().slice(0, 16).replace('T', ' ')} UTC.

- Machine: ${machine()}
- Data: a fresh \`seed:large\` of ${fmt(m.contracts)} contracts (${r.seed.summary || 'see the seed line'}); seeding took ${fmt(r.seed.seconds, 1)} s.
- The app: \`node dist/src/server.js\` with NODE_ENV=production, LOG_LEVEL=info (every request is logged; the log goes
  to /dev/null), signed in as contract 100001 (the one with the long payment history).
- The run took ${fmt(r.totalSeconds)} s: seed, start, sign-in, measurements (the build before it not counted).

## Method

autocannon, run from the benchmark's own process, ${m.connections} connections, no pipelining. Each run starts with a warm-up on the
same connections that it then measures: at least ${m.warmupSec} s, and longer until every connection has had an answer (a server that
is busy on one core takes up ${m.connections} fresh connections slowly, a second or more; counted, that ramp would be most of p99).
Then ${m.durationSec} s are measured: req/s is the number of answers in that window over its length, p50 and p99 are exact
percentiles of their latencies. Every target runs ${m.rounds} times, interleaved (all targets once, then all again ...), and
the table shows the median of the runs (req/s, p50 and p99 each on their own) with every run's req/s beside it.
Non-2xx answers and connection errors are counted over whole runs, warm-up included. "Server CPU ms/req" is the user +
system CPU time the server process used during a whole run (all its threads, V8's GC helpers too; from /proc/<pid>/stat)
divided by the answers it gave: it moves far less with a noisy neighbour than req/s does, and says what one request
costs.

The ceilings are two bare servers started as their own processes (bench/bare.ts): plain node:http and an Express 5 app
with one route, each sending exactly the bytes (and Content-Type) the app sent for the signed-in dashboard (with
\`--all-ceilings\` also for the balance fragment and the history page). The app's RSS is read from /proc/<pid>/status
every 200 ms while the load runs. The first load asks for the dashboard with \`Accept-Encoding: gzip\`, then for each
same-origin \`<link rel=stylesheet>\` and \`<script src>\` in it, and adds up the body bytes as they come over the wire
(headers not counted); KB and MB here are 1024 bytes and 1024 KB.

The load is a closed loop: each of the ${m.connections} connections sends its next request when the last one is answered, so the
typical latency is about ${m.connections} ÷ req/s (Little's law). A p99 under 25 ms at ${m.connections} connections therefore needs well over
${fmt(m.connections / 0.025)} req/s; below that, latency mostly measures the queue, not one request's work.

The load generator and the servers share the same ${os.cpus().length} cores, and this kind of machine is noisy (other tenants,
CPU frequency): the same code can move by 10-20 % from one run to the next. Read the ratios to the ceilings, measured in
the same minutes, rather than the absolute numbers, and compare runs only on the same machine.

## Results

${resultsMarkdown(r)}
`;
}

/** Below this line docs/benchmarks.md is written by hand (what a profile showed, say): a new run keeps it. */
export const NOTES_MARK = '<!-- Hand-written notes below this line: npm run bench keeps them. -->';

export function withKeptNotes(generated: string, previous: string | undefined): string {
  const at = previous?.indexOf(NOTES_MARK) ?? -1;
  return `${generated}\n${at >= 0 ? previous!.slice(at) : `${NOTES_MARK}\n`}`;
}
