// A kill -9 in the middle of the daily charge run: the day is one transaction, so it is there whole or not at all,
// and the next run charges every contract exactly once. The run is test/process/charge-day.js over the compiled
// engine (dist/), on a seed:large database. Runs in the e2e project (after the build).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { addDays } from '../../src/lib/dates';

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'src', 'cli.js');
const script = path.join(__dirname, 'charge-day.js');
// Enough that the run takes several hundred ms here, so a kill 50-150 ms after it starts lands inside it.
const CONTRACTS = 25_000;

let dir: string;
let file: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-charge-'));
  file = path.join(dir, 'k.sqlite');
  const seed = spawnSync(process.execPath, [cli, 'seed:large', '--contracts', String(CONTRACTS)], {
    cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_FILE: file, BCRYPT_COST: '4', LOG_LEVEL: 'warn' }, encoding: 'utf8',
  });
  if (seed.status !== 0) throw new Error(`seed:large failed: ${seed.stderr}`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Run = { child: ChildProcess; out: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

function chargeDay(day: string): Run {
  let out = '';
  const child = spawn(process.execPath, [script, file, day], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, out: () => out, exited };
}

async function until(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The day as the database has it, read by a connection of our own. */
function dayState(day: string) {
  const db = new Database(file, { readonly: true });
  try {
    const one = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
    return {
      charges: one(`select count(*) n from ledger_entries where kind = 'charge' and period_from = ?`, day),
      chargedTwice: one(`select count(*) n from (select contract_id from ledger_entries where kind = 'charge' and period_from = ? group by contract_id having count(*) > 1)`, day),
      dayRow: db.prepare('select contracts_charged from charge_days where day = ?').get(day) as { contracts_charged: number } | undefined,
      mismatched: one('select count(*) n from contracts c where balance_kopecks != (select coalesce(sum(amount_kopecks), 0) from ledger_entries l where l.contract_id = c.id)'),
      active: one(`select count(*) n from contracts where status = 'active'`),
      statusChanges: one('select count(*) n from contract_status_changes'),
    };
  } finally {
    db.close();
  }
}

function lastChargedDay(): string {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('select max(day) day from charge_days').get() as { day: string }).day;
  } finally {
    db.close();
  }
}

describe('the daily charge run as a process', () => {
  it('after a kill -9 in the middle, the day is there whole or not at all; the next run charges every contract once', async () => {
    const day = addDays(lastChargedDay(), 1); // the seed charged today: the run is for the next day
    const before = dayState(day);
    expect(before).toMatchObject({ charges: 0, dayRow: undefined, mismatched: 0 });

    for (const afterMs of [50, 150]) {
      const victim = chargeDay(day);
      await until('the run to start', () => victim.out().includes('running'));
      await new Promise((r) => setTimeout(r, afterMs));
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // It was killed while it ran: if this fails, the run was too quick for the test (seed more contracts).
      expect(victim.out().trim()).toBe(`running ${day}`);
      const after = dayState(day);
      expect(after.chargedTwice).toBe(0);
      expect(after.mismatched).toBe(0);
      // Never part of the day: all of its charges with its charge_days row, or no charge, no row and no block.
      expect(after).toMatchObject(after.dayRow ? { charges: after.dayRow.contracts_charged } : { charges: 0, statusChanges: before.statusChanges });
    }

    const next = chargeDay(day);
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(next.out()).toMatch(/^running .*\ndone /);
    const done = dayState(day);
    expect(done.charges).toBe(before.active); // every active contract, once
    expect(done.chargedTwice).toBe(0);
    expect(done.dayRow?.contracts_charged).toBe(before.active);
    expect(done.mismatched).toBe(0);

    const again = chargeDay(day);
    expect(await again.exited).toEqual({ code: 0, signal: null });
    expect(again.out()).toContain(`already done ${day}`);
    expect(dayState(day)).toEqual(done);
  });
});
