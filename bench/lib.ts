// The benchmark's processes: the large seed, the app in production mode, the bare ceiling servers, the RSS
// sampler, and the cleanup that stops them all and removes the temporary database.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { httpGet } from './http';

export const HOST = '127.0.0.1';
/** The project root: bench/ in the sources, dist/bench/ when built. */
export const ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..');
const DIST = path.join(ROOT, 'dist');

export const out = (line = '') => process.stdout.write(line + '\n');

/** A random secret of `length` URL-safe characters. */
export const secret = (length = 48) => crypto.randomBytes(length).toString('base64url').slice(0, length);

/** Things to undo at the end, newest first, whatever happened before. */
const cleanups: Array<() => Promise<void> | void> = [];
export const onCleanup = (fn: () => Promise<void> | void) => void cleanups.push(fn);
export async function cleanup(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}

/** A fresh temp dir for this run (the seed db and the bare servers' bodies); removed by cleanup. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `node dist/<script> args` to its end; rejects with its stderr when it fails. Returns its stdout. */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(DIST, script), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${script} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || stdout.trim()}`)),
    );
  });
}

export type SeedResult = { seconds: number; summary: string };

/** `cli.js seed:large` into a new database file. The CLI refuses in production, so it runs as development with the app's pepper. */
export async function seedLarge(o: { dbFile: string; contracts: number; pepper: string }): Promise<SeedResult> {
  onCleanup(() => removeDbFiles(o.dbFile));
  const started = process.hrtime.bigint();
  const stdout = await runNode('src/cli.js', ['seed:large', '--contracts', String(o.contracts)], {
    ...process.env, NODE_ENV: 'development', DATABASE_FILE: o.dbFile, PASSWORD_PEPPER: o.pepper, BCRYPT_COST: '4', LOG_LEVEL: 'warn',
  });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, summary: stdout.trim().split('\n').pop() ?? '' };
}

export function removeDbFiles(dbFile: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(dbFile + suffix, { force: true });
}

export type Child = { pid: number; url: string; stop: () => Promise<void> };

/** Starts `node dist/<script>`, stopped by SIGTERM at cleanup (SIGKILL if it has not gone in 10 s). */
function startChild(script: string, args: string[], env: NodeJS.ProcessEnv, url: string, name: string, nodeArgs: string[] = []): Child {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(DIST, script), ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let stopping = false;
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited = false;
  const gone = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`${name} exited unexpectedly (${signal ?? `exit ${code}`}): ${stderr.trim()}\n`);
  });
  const stop = async () => {
    if (exited) return;
    stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  onCleanup(stop);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return { pid: child.pid, url, stop };
}

/** Polls `url` until it answers 200, or one of `statuses` (or the child dies, or the time is up). */
export async function waitReady(url: string, timeoutMs = 30_000, statuses: number[] = [200]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await httpGet(url);
      if (statuses.includes(r.status)) return;
      last = `status ${r.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

/** The app as in production: every request logged at info (to /dev/null), the seed's pepper, random session secret. */
export async function startApp(o: { dbFile: string; pepper: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<Child> {
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const app = startChild('src/server.js', [], {
    ...process.env, NODE_ENV: 'production', HOST, PORT: String(port), DATABASE_FILE: o.dbFile,
    SESSION_SECRET: secret(48), PASSWORD_PEPPER: o.pepper, LOG_LEVEL: 'info',
    // production refuses an http:// PUBLIC_URL and wants the TLS proxy named: the bench stands in for that proxy
    PUBLIC_URL: url.replace(/^http:/, 'https:'), TRUST_PROXY: 'loopback',
    PAYMENT_GATEWAY: 'sandbox', PAYMENT_SANDBOX_IN_PRODUCTION: 'true', // no shop keys here; the pages measured take no payment
    SMS_DRIVER: 'file', SMS_FILE: `${o.dbFile}.sms.jsonl`, EMAIL_DRIVER: 'file', EMAIL_FILE: `${o.dbFile}.email.jsonl`, // no gateways either
    ...o.env,
  }, url, 'the app', o.nodeArgs);
  // 503 is an answer too: /healthz fails while no scheduler has ticked (a run with BILLING_SCHEDULER=false).
  await waitReady(`${url}/healthz`, 30_000, [200, 503]);
  return app;
}

export type BareMode = 'node' | 'express';
export type BareBody = { path: string; body: Buffer; contentType: string };

/** A bare ceiling server (bench/bare.ts) that answers `bodies` at their paths. */
export async function startBare(mode: BareMode, bodies: BareBody[], dir: string): Promise<Child> {
  const routes = bodies.map((b, i) => {
    const file = path.join(dir, `body-${i}.bin`);
    fs.writeFileSync(file, b.body);
    return { path: b.path, file, contentType: b.contentType };
  });
  const routesFile = path.join(dir, `routes-${mode}.json`);
  fs.writeFileSync(routesFile, JSON.stringify(routes));
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const child = startChild('bench/bare.js', [String(port), mode, routesFile], process.env, url, `bare ${mode}`);
  await waitReady(url + bodies[0].path);
  return child;
}

/** CPU seconds (user + system) `pid` has used so far, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 of proc(5), "state"
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS of `pid` every `intervalMs` until stop(); stop() gives the largest seen, in MB. */
export function rssSampler(pid: number, intervalMs = 200): { stop: () => number } {
  let maxKb = 0;
  const sample = () => {
    try {
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) maxKb = Math.max(maxKb, Number(m[1]));
    } catch {
      /* the process has gone: nothing more to sample */
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return maxKb / 1024;
    },
  };
}
