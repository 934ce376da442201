// /healthz while the daily charge run of the whole large seed runs in the same process (bench/healthzChild.ts): one
// client asks /healthz back to back (each answer's latency, any status: 200, or 503 while a day is not yet charged)
// for BASELINE_S seconds with no run, then from "running" to "done". The run is in a worker thread, so the event
// loop should keep answering; the target is p99 ≤ 50 ms.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { httpGet } from './http';
import { freePort, HOST, out, secret } from './lib';
import { percentile } from './measure';
import { fmt, type Check, type Section } from './report';

export type HealthzDuringCharge = { baseline: number[]; during: number[]; runSeconds: number; contracts: number };
const BASELINE_S = 3;
const TARGET_P99_MS = 50;

async function sample(url: string, until: () => boolean, into: number[]): Promise<void> {
  while (!until()) {
    const t0 = process.hrtime.bigint();
    await httpGet(url);
    into.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}

export async function measureHealthzDuringCharge(dbFile: string, pepper: string): Promise<HealthzDuringCharge> {
  const port = await freePort();
  const url = `http://${HOST}:${port}/healthz`;
  const child = spawn(process.execPath, [path.join(__dirname, 'healthzChild.js')], {
    env: { ...process.env, NODE_ENV: 'production', HOST, PORT: String(port), DATABASE_FILE: dbFile, SESSION_SECRET: secret(48), PASSWORD_PEPPER: pepper, LOG_LEVEL: 'warn', PUBLIC_URL: `https://${HOST}:${port}`, TRUST_PROXY: 'loopback', PAYMENT_GATEWAY: 'sandbox', PAYMENT_SANDBOX_IN_PRODUCTION: 'true', SMS_DRIVER: 'file', SMS_FILE: `${dbFile}.sms.jsonl`, EMAIL_DRIVER: 'file', EMAIL_FILE: `${dbFile}.email.jsonl` },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  while (!stdout.includes('listening')) {
    if (gone || Date.now() > deadline) throw new Error(`healthzChild did not listen: ${stdout}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const baseline: number[] = [];
  const baselineEnd = Date.now() + BASELINE_S * 1000;
  await sample(url, () => Date.now() > baselineEnd, baseline);
  child.stdin!.write('go\n');
  while (!stdout.includes('running')) await new Promise((r) => setTimeout(r, 1));
  const during: number[] = [];
  await sample(url, () => stdout.includes('done'), during);
  child.stdin!.write('quit\n');
  if ((await exited) !== 0) throw new Error(`healthzChild failed: ${stdout}`);
  const [, seconds, contracts] = /done (\S+) (\d+)/.exec(stdout) ?? [];
  const r = { baseline, during, runSeconds: Number(seconds), contracts: Number(contracts) };
  out(`\n/healthz during the charge run: ${fmt(r.contracts)} charges in ${fmt(r.runSeconds, 2)} s; ${during.length} answers, p50 ${fmt(p(during, 0.5), 1)} ms, p99 ${fmt(p(during, 0.99), 1)} ms, max ${fmt(Math.max(...during), 1)} ms (without a run: p50 ${fmt(p(baseline, 0.5), 1)} ms, p99 ${fmt(p(baseline, 0.99), 1)} ms)`);
  return r;
}

const p = (xs: number[], q: number) => percentile(Float64Array.from(xs).sort(), q);

export function healthzChecks(h: HealthzDuringCharge): Check[] {
  const p99 = p(h.during, 0.99);
  return [
    { name: `/healthz p99 while the charge run of ${fmt(h.contracts)} contracts runs (${h.during.length} answers, one client)`, value: `${fmt(p99, 1)} ms (p50 ${fmt(p(h.during, 0.5), 1)} ms; no run: p99 ${fmt(p(h.baseline, 0.99), 1)} ms)`, target: `≤ ${TARGET_P99_MS} ms`, pass: p99 <= TARGET_P99_MS },
  ];
}

export function healthzSection(h: HealthzDuringCharge): Section {
  return {
    title: '/healthz during the daily charge run',
    markdown: `The app (production settings) and the charge run of the day after the last one charged in ONE process
(bench/healthzChild.ts calls \`chargeThrough\`, as the scheduler does: a worker thread with its own connection, the day one
transaction). One client asks \`/healthz\` back to back: ${BASELINE_S} s with no run, then from the run's start to its end
(${fmt(h.runSeconds, 2)} s, ${fmt(h.contracts)} charges). Latency is per answer, whatever its status (503 while yesterday is
not charged is /healthz telling the truth). The write probe of /healthz never waits for the lock: while the run holds it,
the probe says "busy".`,
  };
}
