// The testers' clock moved through the command a tester types (src/test-clock/command.ts, what `kabinet clock …`
// runs), on the app's database (both engines): the portal starts at KABINET_NOW before a month end; `clock advance`
// across it does the scheduler's work of the interval in order: every day charged once per contract, a promised
// payment taken back at its own due time (and the contract blocked then); the banner on the site and the console;
// back past charged days and production refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { AppContext } from '../../src/context';
import { createServices } from '../../src/services';
import { clockCommand } from '../../src/test-clock/command';
import { openClock } from '../../src/test-clock/dbClock';
import { readClockRow } from '../../src/test-clock/queries';
import { failureOf } from '../support/app';
import { openTestDb, type TestDb } from '../support/engine';
import { makeContract } from '../support/factories';

jest.setTimeout(60_000);

const logger = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-test-clock-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An instance as `npm run dev` makes it (a DbClock from boot's openClock), with a real clock the test moves. */
async function instance(env: Record<string, string> = {}) {
  const t: TestDb = await openTestDb();
  const config = loadConfig({
    NODE_ENV: 'test', BCRYPT_COST: '4', LOG_LEVEL: 'silent', SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_FILE: path.join(dir, 'email.jsonl'), ...env,
  });
  const real = new ManualClock('2026-12-03T06:00:00.000Z'); // 13:00 in Novokuznetsk: the machine's own time
  const clock = await openClock(config, t.db, logger, real);
  const ctx: AppContext = { config, db: t.db, clock, logger };
  const services = createServices(ctx);
  const app = createApp(ctx, services);
  const lines: string[] = [];
  const clockCmd = (...args: string[]) => clockCommand(ctx, args, (l) => lines.push(l));
  return { t, ctx, real, services, app, lines, clockCmd };
}

const banner = (html: string) => /<p class="test-clock" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? null;

describe('moving the clock across a month end', () => {
  let it1: Awaited<ReturnType<typeof instance>>;
  let a: { id: number };
  let b: { id: number };
  let promisedId: number;

  beforeAll(async () => {
    it1 = await instance({ KABINET_NOW: '2026-12-30T12:00' });
    const at = it1.ctx.clock.now().toISOString();
    // 310 ₽ a month: 10 ₽ a day in December and in January
    a = await makeContract(it1.ctx, { fee: 31000, payments: [{ amount: 100000, at }] });
    b = await makeContract(it1.ctx, { fee: 31000, payments: [{ amount: 500, at }] });
    const taken = await it1.services.promised.take(b.id, 30000, 'test-clock');
    if (taken.kind !== 'taken') throw new Error(`promised payment not taken: ${JSON.stringify(taken)}`);
    promisedId = taken.id;
  });
  afterAll(() => it1.t.close());

  const chargedDays = async (contractId: number) =>
    (await it1.t.db('ledger_entries').where({ contract_id: contractId, kind: 'charge' }).orderBy('period_from').select('period_from', 'period_to', 'amount_kopecks'))
      .map((r: { period_from: string; period_to: string; amount_kopecks: number }) => `${r.period_from}..${r.period_to} ${r.amount_kopecks}`);

  it('starts at KABINET_NOW, and every page says so', async () => {
    expect(it1.ctx.clock.now().toISOString()).toBe('2026-12-30T05:00:00.000Z');
    expect(banner((await request(it1.app).get('/')).text)).toBe('Тестовое время: 30.12.2026 12:00');
    expect(banner((await request(it1.app).get('/admin/login')).text)).toBe('Тестовое время: 30.12.2026 12:00');
  });

  it('advances 4 days: each day charged once, the promised payment taken back at its due time, the contract blocked then', async () => {
    const r = await it1.clockCmd('advance', '4d');
    expect(r).toMatchObject({ from: new Date('2026-12-30T05:00:00.000Z'), to: new Date('2027-01-03T05:00:00.000Z') });
    expect(it1.lines.at(-2)).toMatch(/^test time: 03\.01\.2027 12:00 \(Asia\/Novokuznetsk\) \(from 30\.12\.2026 12:00: forward; the scheduler's work of the interval done in \d+ ticks\)$/);
    expect(it1.ctx.clock.now().toISOString()).toBe('2027-01-03T05:00:00.000Z');

    expect(await chargedDays(a.id)).toEqual(['2026-12-30..2026-12-30 -1000', '2026-12-31..2026-12-31 -1000', '2027-01-01..2027-01-01 -1000', '2027-01-02..2027-01-02 -1000', '2027-01-03..2027-01-03 -1000']);
    expect((await it1.t.db('charge_days').orderBy('day').select('day')).map((d: { day: string }) => d.day)).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']);

    // B: 5 ₽ + 300 ₽ promised, 4 days × 10 ₽ charged at 00:05, then 300 ₽ taken back at 12:00 on 02.01: −35 ₽, blocked, not charged on 03.01
    const promised = await it1.t.db('promised_payments').where({ id: promisedId }).first();
    expect(promised).toMatchObject({ status: 'repaid', due_at: '2027-01-02T05:00:00.000Z', settled_at: '2027-01-02T05:00:00.000Z' });
    expect(Boolean(promised.repaid_late)).toBe(true);
    expect(await chargedDays(b.id)).toEqual(['2026-12-30..2026-12-30 -1000', '2026-12-31..2026-12-31 -1000', '2027-01-01..2027-01-01 -1000', '2027-01-02..2027-01-02 -1000']);
    const contract = await it1.t.db('contracts').where({ id: b.id }).first('status', 'balance_kopecks');
    expect(contract).toMatchObject({ status: 'blocked', balance_kopecks: -3500 });
    const sum = await it1.t.db('ledger_entries').where({ contract_id: b.id }).sum({ s: 'amount_kopecks' }).first();
    expect(Number(sum?.s)).toBe(-3500); // the balance is the ledger's
    expect(await it1.t.db('contract_status_changes').where({ contract_id: b.id, to_status: 'blocked' }).select('cause', 'at'))
      .toEqual([{ cause: 'balance_below_limit', at: '2027-01-02T05:00:00.000Z' }]);

    expect(banner((await request(it1.app).get('/')).text)).toBe('Тестовое время: 03.01.2027 12:00');
  });

  it('runs on at the real pace after the move, and a second advance charges no day twice', async () => {
    it1.real.advance(5 * 60_000);
    expect(banner((await request(it1.app).get('/')).text)).toBe('Тестовое время: 03.01.2027 12:05');
    await it1.clockCmd('advance', '90m');
    expect(it1.ctx.clock.now().toISOString()).toBe('2027-01-03T06:35:00.000Z');
    const perDay = await it1.t.db('ledger_entries').where({ kind: 'charge' }).groupBy('contract_id', 'period_from').select('contract_id', 'period_from').count({ n: '*' });
    expect(perDay.length).toBe(9);
    expect(perDay.every((r) => Number(r.n) === 1)).toBe(true);
  });

  it('refuses to go back past a day already charged, and changes nothing', async () => {
    const before = await readClockRow(it1.t.db);
    const failure = await failureOf(it1.clockCmd('set', '2027-01-02T23:59'));
    expect(failure).toMatch(/^TestClockRefused: .*kabinet clock set 2027-01-02T23:59: 02\.01\.2027 23:59 is before 03\.01\.2027, a day already charged \(days are charged through 03\.01\.2027\)/);
    expect(await readClockRow(it1.t.db)).toEqual(before);
    expect(await failureOf(it1.clockCmd('reset'))).toMatch(/kabinet clock reset: 03\.12\.2026 13:05 is before 03\.01\.2027, a day already charged/);
  });

  it('goes back within the last charged day: nothing is undone, nothing charged again', async () => {
    const entries = Number((await it1.t.db('ledger_entries').count({ n: '*' }).first())?.n);
    await it1.clockCmd('set', '2027-01-03T00:01');
    expect(it1.lines.at(-2)).toBe('test time: 03.01.2027 00:01 (Asia/Novokuznetsk) (from 03.01.2027 13:35: back; nothing done is undone)');
    expect(banner((await request(it1.app).get('/')).text)).toBe('Тестовое время: 03.01.2027 00:01');
    await it1.clockCmd('advance', '1h');
    expect(Number((await it1.t.db('ledger_entries').count({ n: '*' }).first())?.n)).toBe(entries);
  });

  it('tells a step or a moment it cannot read, with what to write', async () => {
    expect(await failureOf(it1.clockCmd('advance', '3w'))).toBe('Error: Error: "3w" is not a step forward: write minutes, hours or days like 90m, 12h, 3d (or 1d12h); to go back, clock set');
    expect(await failureOf(it1.clockCmd('set', '01.01.2027'))).toMatch(/^Error: Error: "01\.01\.2027" is not a moment: write 2027-01-01T00:05/);
    expect(await failureOf(it1.clockCmd('turn'))).toBe('Error: Error: usage: clock show | clock set 2027-01-01T00:05 | clock advance 90m|12h|3d | clock reset');
  });
});

describe('an instance on real time', () => {
  it('shows no banner until the clock is moved, and none after clock reset', async () => {
    const i = await instance();
    try {
      await i.clockCmd('show');
      expect(i.lines).toEqual(['real time: 03.12.2026 13:00 (Asia/Novokuznetsk) (the clock is not moved)']);
      expect(banner((await request(i.app).get('/')).text)).toBeNull();
      await i.clockCmd('advance', '2h');
      expect(banner((await request(i.app).get('/')).text)).toBe('Тестовое время: 03.12.2026 15:00');
      i.lines.length = 0;
      await i.clockCmd('show');
      expect(i.lines).toEqual(['test time: 03.12.2026 15:00 (Asia/Novokuznetsk), running on (moved by kabinet clock advance 2h)']);
      await i.clockCmd('reset'); // back to 13:00 the same day: the last charged day is today, so it is allowed
      expect(i.ctx.clock.moved?.()).toBe(false);
      expect(await readClockRow(i.t.db)).toMatchObject({ at: null, since: null, changed_by: 'kabinet clock reset' });
      expect(banner((await request(i.app).get('/')).text)).toBeNull();
    } finally {
      await i.t.close();
    }
  });
});

describe('production', () => {
  it('refuses every clock command with the reason, and never reads the row', async () => {
    const i = await instance({ KABINET_NOW: '2027-01-01T00:05' });
    try {
      const prodConfig = loadConfig({
        NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), PUBLIC_URL: 'https://lk.example.ru', TRUST_PROXY: 'loopback',
        YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_secret_key', SMS_DRIVER: 'smsru', SMSRU_API_ID: 'id', EMAIL_DRIVER: 'smtp', SMTP_URL: 'smtp://u:p@mail.example.ru:587',
      });
      const clock = await openClock(prodConfig, i.t.db, logger);
      const ctx: AppContext = { config: prodConfig, db: i.t.db, clock, logger };
      for (const args of [['set', '2027-01-01T00:05'], ['advance', '1d'], ['reset'], ['show']]) {
        expect(await failureOf(clockCommand(ctx, args, () => {}))).toBe('TestClockRefused: TestClockRefused: refused: the clock can be moved in development and test only, and NODE_ENV is production here');
      }
      expect(clock.moved?.()).toBeUndefined();
      expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(5000);
    } finally {
      await i.t.close();
    }
  });
});
