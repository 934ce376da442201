// Helpers of the browser suite: start the built server on a free port with a fresh demo database, launch
// Debian's Chromium through playwright-core (never a downloaded browser), and sign in the way a person does.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const hasBrowser = fs.existsSync(CHROMIUM_PATH);
const onCi = process.env.CI === 'true';

export const DEMO = { contract: '100001', password: 'centra2026', otherContract: '100002' } as const;

/** Each journey runs once with JavaScript (htmx swaps fragments) and once without (plain links and forms). */
export const MODES = [
  { label: 'with JavaScript', javaScriptEnabled: true },
  { label: 'without JavaScript', javaScriptEnabled: false },
] as const;
export type Mode = (typeof MODES)[number];

/**
 * describe when Chromium is there. Without it: on CI a suite with one failing test that says why; elsewhere a
 * loud line on stderr and a skipped suite, so a laptop without Chromium can still run the unit tests.
 */
export function describeWithBrowser(name: string, fn: () => void): void {
  const why = `Chromium was not found at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`;
  if (!hasBrowser && onCi) {
    describe(name, () => {
      test('the browser suite has a Chromium to drive', () => {
        throw new Error(`${why} On CI the browser suite must run, so this is a failure.`);
      });
    });
    return;
  }
  if (!hasBrowser) process.stderr.write(`\n!!! e2e SKIPPED (${name}): ${why}\n\n`);
  const maybe = hasBrowser ? describe : describe.skip;
  maybe(name, fn);
}

/** One app and one browser for all the journeys of a describe block; `use` receives them before the first test. */
export function useAppAndBrowser(use: (app: RunningApp, browser: Browser) => void): void {
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    app = await startApp();
    browser = await launchBrowser();
    use(app, browser);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function newContext(browser: Browser, app: RunningApp, mode: Mode): Promise<BrowserContext> {
  return browser.newContext({ baseURL: app.baseURL, javaScriptEnabled: mode.javaScriptEnabled, locale: 'ru-RU', timezoneId: 'Asia/Novokuznetsk' });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** databaseFile: the app's SQLite file, for a test that picks a contract in a given state (open it read-only). */
export type RunningApp = { baseURL: string; databaseFile: string; stop: () => Promise<void>; output: () => string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts dist/src/server.js (built before the suite) on a free port with a new demo database; waits for /healthz.
 * With databaseUrl: on that (empty) PostgreSQL database instead of a new SQLite file; with databaseFile: on that file
 * (a fixture loaded into it); env: more settings (KABINET_NOW ...).
 */
export async function startApp(timeoutMs = 60_000, o: { databaseUrl?: string; databaseFile?: string; env?: Record<string, string> } = {}): Promise<RunningApp> {
  const root = path.resolve(__dirname, '..', '..');
  const entry = path.join(root, 'dist', 'src', 'server.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run "node scripts/build.js" (npm run test:e2e does) first.`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-e2e-'));
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const databaseFile = o.databaseFile ?? path.join(dir, 'kabinet.sqlite');
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_FILE: databaseFile,
      ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
      DEMO_SEED: 'true',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = code ?? signal ?? 'unknown';
      resolve();
    });
  });

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000); // the server's own shutdown timeout is 10 s
      await exit;
      clearTimeout(force);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`the server exited (${String(exited)}) before it answered /healthz:\n${output}`);
    }
    try {
      const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not answer 200 on ${baseURL}/healthz within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(200);
  }
  return { baseURL, databaseFile, stop, output: () => output };
}

/** The pathname and query of the page's address, e.g. "/login?next=%2Fcabinet". */
export function where(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** Signs in through the real login form (as the demo contract unless told another) and waits for the dashboard. */
export async function signIn(page: Page, o: { remember?: boolean; contract?: string } = {}): Promise<void> {
  const contract = o.contract ?? DEMO.contract;
  await page.goto('/login');
  await page.getByLabel('Номер договора').fill(contract);
  await page.getByLabel('Пароль', { exact: true }).fill(DEMO.password);
  if (o.remember) await page.getByLabel('Запомнить').check();
  await Promise.all([page.waitForURL((u) => u.pathname === '/cabinet'), page.getByRole('button', { name: 'Войти', exact: true }).click()]);
  await contractHeading(page, contract).waitFor();
}

export const contractHeading = (page: Page, contract: string = DEMO.contract) => page.getByRole('heading', { level: 1, name: `Договор № ${contract}` });

/** The 6-digit code of the newest SMS to `to` in the file outbox (SMS_DRIVER=file), as a tester reads it; waits up to 5 s. */
export async function codeFromSms(file: string, to: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { to: string; text: string }) : [];
    const sms = lines.filter((l) => l.to === to).at(-1);
    const m = sms && /(\d{6})/.exec(sms.text);
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no SMS to ${to} in ${file}`);
}

/**
 * Points the app this suite starts at its own file outbox (SMS_DRIVER=file) and returns the SMS file's path. Call it
 * before useAppAndBrowser: the server reads SMS_FILE and EMAIL_FILE from the environment it inherits; they are
 * removed again after the suite.
 */
export function useFileOutbox(name: string): string {
  const smsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `kabinet-e2e-${name}-`)), 'sms.jsonl');
  beforeAll(() => {
    process.env.SMS_FILE = smsFile;
    process.env.EMAIL_FILE = `${smsFile}.email`;
  });
  afterAll(() => {
    delete process.env.SMS_FILE;
    delete process.env.EMAIL_FILE;
    fs.rmSync(path.dirname(smsFile), { recursive: true, force: true });
  });
  return smsFile;
}
