// Issue 9, point 19, as the process runs: the built server cuts off a client that trickles its request body at
// REQUEST_TIMEOUT_MS (it held one 322 s before). Runs in the e2e project (after the build).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../e2e/support';

jest.setTimeout(90_000);

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, 'dist', 'src', 'server.js');
let dir: string;
let child: ChildProcess | null = null;
let out = '';

afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Listening and answering pages (not /healthz: without the scheduler and a charged day that one is 503 by design). */
async function answering(url: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/login`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not answer:\n${out}`);
}

it('cuts off a trickled request body at REQUEST_TIMEOUT_MS with a 408', async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-slow-'));
  const port = await freePort();
  child = spawn(process.execPath, [entry], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '', NODE_ENV: 'development', PORT: String(port), DATABASE_FILE: path.join(dir, 'k.sqlite'), BCRYPT_COST: '4',
      DEMO_SEED: 'false', BILLING_SCHEDULER: 'false', LOG_LEVEL: 'warn', HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await answering(`http://127.0.0.1:${port}`);

  const result = await new Promise<{ ms: number; answer: string }>((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const drip = setInterval(() => socket.writable && socket.write('a'), 100);
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      resolve({ ms: Date.now() - started, answer });
    });
    socket.write('POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ncontract=');
  });
  expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
  expect(result.ms).toBeGreaterThanOrEqual(1900);
  expect(result.ms).toBeLessThan(2000 + 3000); // the limit, node's 1 s check, a busy machine
});
