// Production from the build output alone: nothing in dist/ needs a devDependency at run time (`npm ci --omit=dev`
// plus dist/ is enough), the `kabinet` bin runs the ops commands, and a production start makes no staff account:
// the first one comes from `kabinet staff create`. Runs in the e2e project (after the build).
import { builtinModules } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../e2e/support';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '..', '..');
const hook = path.join(__dirname, 'no-dev-deps.js');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string> };
let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-production-'));
  env = {
    PATH: process.env.PATH ?? '', NODE_ENV: 'production', DATABASE_FILE: path.join(dir, 'kabinet.sqlite'),
    SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), BCRYPT_COST: '10', PUBLIC_URL: 'https://lk.example.ru', TRUST_PROXY: 'loopback',
    SMS_DRIVER: 'file', SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_DRIVER: 'file', EMAIL_FILE: path.join(dir, 'email.jsonl'),
    PAYMENT_GATEWAY: 'sandbox', PAYMENT_SANDBOX_IN_PRODUCTION: 'true', LOG_LEVEL: 'info',
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The hook's notes (an optional module such as debug's supports-color tried and not found) are not errors. */
const withoutNotes = (text: string) => text.replace(/^\[no-dev-deps\].*\n/gm, '');
const kabinet = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, ['--require', hook, path.join(root, pkg.bin.kabinet), ...args], { cwd: dir, env, input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: withoutNotes(r.stderr) };
};
const count = (table: string) => {
  const db = new Database(env.DATABASE_FILE, { readonly: true });
  try {
    return (db.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

function jsFiles(d: string): string[] {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(d, e.name)) : e.name.endsWith('.js') ? [path.join(d, e.name)] : []));
}

describe('production from the build output', () => {
  it('the built app, migrations and seeds require only dependencies and Node built-ins', () => {
    const files = [...['src', 'migrations', 'seeds'].flatMap((d) => jsFiles(path.join(root, 'dist', d))), path.join(root, pkg.bin.kabinet)];
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const f of files) {
      for (const [, spec] of fs.readFileSync(f, 'utf8').matchAll(/require\(["']([^"']+)["']\)/g)) {
        if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!(name in pkg.dependencies)) offenders.push(`${path.relative(root, f)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('starts without dev dependencies, answers, and makes no staff account (nor demo data)', async () => {
    const port = await freePort();
    let out = '';
    const child = spawn(process.execPath, ['--require', hook, path.join(root, 'dist', 'src', 'server.js')], { cwd: dir, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('kabinet is listening')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${out.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(await health.json()).toMatchObject({ checks: { database: { status: 'ok' } } }); // 503 until the scheduler's first tick: not an error here
      for (const page of ['/login', '/', '/tariffs', '/recover', '/privacy']) {
        const res = await fetch(`http://127.0.0.1:${port}${page}`, { headers: { 'X-Forwarded-Proto': 'https' }, redirect: 'manual' });
        expect([page, res.status]).toEqual([page, 200]);
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).not.toMatch(/Cannot find module/);
    expect(out.split('\n').filter((l) => /"level":[56]0/.test(l) && !l.includes('"url":"/healthz"'))).toEqual([]);
    expect(count('staff')).toBe(0);
    expect(count('contracts')).toBe(0);
  });

  it('runs the ops commands through the bin without dev dependencies; the first admin comes from staff create', () => {
    const made = kabinet(['staff', 'create', 'first-admin', '--role', 'admin', '--name', 'Первый администратор']);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    const lines = made.stdout.trim().split('\n').filter((l) => !l.startsWith('{'));
    expect(lines).toEqual(['staff account "first-admin" (admin) created; its password, shown this once:', expect.stringMatching(/^[a-km-zA-HJ-NP-Z2-9]{20}$/)]);
    expect(made.stdout).not.toMatch(/"msg".*[a-km-zA-HJ-NP-Z2-9]{20}/); // the password is in no log line
    expect(count('staff')).toBe(1);
    expect(kabinet(['staff', 'create', 'first-admin', '--role', 'admin'])).toMatchObject({ status: 1, stderr: 'error: staff account "first-admin" exists already (reset its password with: kabinet staff reset-password first-admin)\n' });
    expect(kabinet(['staff', 'create', 'kassa', '--role', 'cashier', '--password-stdin'], 'Касса на Ленина 12, вход\n')).toMatchObject({ status: 0, stdout: expect.stringContaining('staff account "kassa" (cashier) created\n') });
    expect(kabinet(['staff', 'reset-password', 'kassa'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/password of "kassa" changed; the new one, shown this once:\n[a-km-zA-HJ-NP-Z2-9]{20}\n$/) });
    expect(kabinet(['staff', 'create', 'x', '--role', 'admin'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^error: bad login "x"/) });
    expect(kabinet(['staff', 'create', 'petrov'])).toMatchObject({ status: 1, stderr: 'error: --role is required: admin, cashier, support or content\n' });
    expect(kabinet(['seed'])).toMatchObject({ status: 1, stderr: 'error: refusing to load demo data in production (add --force if you mean it)\n' });

    for (const args of [['migrate'], ['retention', 'run'], ['jobs', 'list'], ['outbox', 'list'], ['billing', 'run'], ['payments', 'reconcile'], ['backup', 'b.sqlite']]) {
      const r = kabinet(args);
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 0, '']);
    }
  });

  it('says how to build when dist/ is missing', () => {
    const copy = fs.mkdtempSync(path.join(dir, 'nobuild-'));
    fs.mkdirSync(path.join(copy, 'bin'));
    fs.copyFileSync(path.join(root, pkg.bin.kabinet), path.join(copy, 'bin', 'kabinet.js'));
    const r = spawnSync(process.execPath, [path.join(copy, 'bin', 'kabinet.js'), 'migrate'], { cwd: copy, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('kabinet: dist/src/cli.js is missing: build it once with `npm run build` (needs the dev dependencies), or copy dist/ from a build\n');
  });
});
