// Testers' fixtures (src/fixtures): every example in fixtures/ loads and its subscriber's dashboard shows what the file
// says; the same file loads to the same data twice; dump then load gives the same state; bad files are refused with
// FILE:LINE: field: message and nothing is loaded.
import fs from 'node:fs';
import path from 'node:path';
import { checkBalance } from '../../src/billing/service';
import { createServices } from '../../src/services';
import { dumpContracts } from '../../src/fixtures/dump';
import { loadFixture } from '../../src/fixtures/load';
import { FixtureError, parseFixture } from '../../src/fixtures/schema';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { itSqlite } from '../support/engine';
import { fixturesCommand } from '../../src/fixtures/command';
import os from 'node:os';

const DIR = path.join(__dirname, '..', '..', 'fixtures');
const read = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

async function load(text: string, file = 'test.yaml') {
  const report = await loadFixture(t.ctx, parseFixture(text, file), file);
  t.clock.set(report.now);
  return report;
}

/** The error lines a load fails with ('loaded' when it does not fail). */
async function problemsOf(text: string, file = 'bad.yaml'): Promise<string> {
  try {
    await load(text, file);
    return 'loaded';
  } catch (err) {
    if (err instanceof FixtureError) return err.message;
    throw err;
  }
}

async function dashboard(number: string, password: string) {
  const { agent } = await signIn(t.app, number, password);
  const res = await agent.get('/cabinet');
  expect(res.status).toBe(200);
  return res.text;
}

const balanceOf = async (number: string) => {
  const c = await t.ctx.db('contracts').where({ number }).first();
  const b = await checkBalance(t.ctx.db, c.id);
  expect(b.cached).toBe(b.ledger); // the balance is the ledger's sum
  return { balance: b.ledger, status: c.status as string, id: c.id as number };
};

/** Every table's rows, ordered, without bcrypt hashes (their salt is random). */
async function snapshot() {
  const tables = ['towns', 'tariffs', 'tariff_towns', 'services', 'contracts', 'contract_phones', 'contract_services', 'ledger_entries', 'payments', 'contract_status_changes',
    'promised_payments', 'voluntary_blocks', 'tariff_changes', 'jobs', 'autopay', 'autopay_consents', 'sandbox_payments', 'sandbox_cards', 'charge_days', 'notifications', 'staff', 'audit_log'];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = (await t.ctx.db(table).select('*')) as Record<string, unknown>[];
    out[table] = rows.map(({ password_hash: _h, ...r }) => JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'boolean' ? Number(v) : v)))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

describe('the example fixtures', () => {
  it('blocked-subscriber: blocked with −120,50 ₽ and its history, and the cabinet says so', async () => {
    await load(read('blocked-subscriber.yaml'));
    expect(await balanceOf('300001')).toMatchObject({ balance: -12050, status: 'blocked' });
    const page = await dashboard('300001', 'blocked-2026');
    expect(page).toContain('−120,50\u00a0₽');
    expect(page).toContain('Заблокирован');
    expect(await t.ctx.db('payments').where({ status: 'succeeded' })).toHaveLength(6);
  });

  it('promised-payment-due-tomorrow: open now, taken back tomorrow, and blocked again after it', async () => {
    await load(read('promised-payment-due-tomorrow.yaml'));
    const c = await balanceOf('300002');
    expect(c).toMatchObject({ balance: 10000, status: 'active' });
    const page = await dashboard('300002', 'promised-2026');
    expect(page).toContain('100,00\u00a0₽');
    expect(page).toContain('Активен');
    expect(page).toContain('Обещанный платёж 300,00\u00a0₽ будет списан 16.12.2026.');
    // a day later the expiry job takes it back: below zero, blocked again
    t.clock.advance(86_400_000);
    const row = await t.ctx.db('promised_payments').where({ contract_id: c.id }).first();
    await createServices(t.ctx).promised.expire(row.id);
    expect((await balanceOf('300002')).status).toBe('blocked');
  });

  it('autopay-card-declined: autopayment on with a failing card; the next run is declined and told', async () => {
    await load(read('autopay-card-declined.yaml'));
    expect(await balanceOf('300003')).toMatchObject({ balance: 5000, status: 'active' });
    expect(await t.ctx.db('autopay').first()).toMatchObject({ status: 'active', rule: 'threshold', amount_kopecks: 50000, threshold_kopecks: 10000, card_mask: 'Visa •••• 4242' });
    expect(await dashboard('300003', 'autopay-2026')).toContain('50,00\u00a0₽');
    await createServices(t.ctx).autopay.run();
    expect(await t.ctx.db('autopay_charges').first()).toMatchObject({ status: 'pending', attempts: 1, last_error: 'insufficient_funds' });
    expect(await t.ctx.db('notifications').pluck('title')).toContain('Автоплатёж не прошёл');
  });

  it('month-end: two subscribers ten minutes before the new year', async () => {
    const r = await load(read('month-end.yaml'));
    expect(r.now.toISOString()).toBe('2026-12-31T16:50:00.000Z');
    expect(await balanceOf('300004')).toMatchObject({ balance: 2000, status: 'active' });
    expect(await balanceOf('300005')).toMatchObject({ balance: 10000, status: 'active' });
    expect(await dashboard('300004', 'month-end-2026')).toContain('20,00\u00a0₽');
    expect(await t.ctx.db('charge_days').pluck('day')).toEqual(['2026-12-31']);
  });

  it('tariff-change-next-month: a change scheduled for the 1st', async () => {
    await load(read('tariff-change-next-month.yaml'));
    const c = await balanceOf('300006');
    expect(c).toMatchObject({ balance: 100000, status: 'active' });
    expect(await t.ctx.db('tariff_changes').where({ contract_id: c.id }).first()).toMatchObject({ status: 'scheduled', effective_day: '2027-01-01', to_tariff_id: 2 });
    expect(await dashboard('300006', 'tariff-2026')).toContain('1\u00a0000,00\u00a0₽');
  });
});

const FILE = `now: 2026-12-15T12:00
provider: demo
contracts:
  400001:
    name: Тестов Тест
    phones: ["+7 913 000-00-01"]
    tariff: home100
    password: test-2026
    balance: -10
    status: blocked
    history_months: 2
    payments: [{ amount: 500, date: 2026-12-10, method: office }]
  400002:
    name: Второй Абонент
    tariff: Домашний 300 + ТВ
    services: [tv_box]
    balance: 40
    promised_payment: { amount: 500, due_in_days: 2 }
    voluntary_block: { from: 2026-12-20, to: 2026-12-31 }
staff:
  - { login: tester, role: support, password: lantern-orbit-57 }
`;

describe('loading', () => {
  it('the same file twice gives the same data (all but the bcrypt hashes)', async () => {
    await load(FILE);
    const first = await snapshot();
    await t.close();
    t = await makeTestApp();
    await load(FILE);
    expect(await snapshot()).toEqual(first);
    expect(first.contracts).toHaveLength(2);
    expect(first.staff).toHaveLength(1);
  });

  it('dump then load gives the same state', async () => {
    await load(FILE);
    const before = await Promise.all(['400001', '400002'].map(balanceOf));
    const text = await dumpContracts(t.ctx, ['400001', '400002']);
    expect(text).toContain('provider: demo');
    expect(text).toContain('promised_payment:');
    const state = async () => {
      const contracts = await t.ctx.db('contracts').orderBy('number').select('number', 'name', 'status', 'balance_kopecks', 'tariff_id', 'email', 'address', 'password_hash', 'credit_limit_kopecks');
      const phones = await t.ctx.db('contract_phones').orderBy('phone').pluck('phone');
      const promised = await t.ctx.db('promised_payments').where({ status: 'open' }).select('amount_kopecks', 'due_at');
      const blocks = await t.ctx.db('voluntary_blocks').select('from_day', 'to_day', 'status');
      return { contracts, phones, promised, blocks };
    };
    const was = await state();
    await t.close();
    t = await makeTestApp();
    await load(text, 'dump.yaml');
    expect(await state()).toEqual(was);
    expect(await Promise.all(['400001', '400002'].map(balanceOf))).toEqual(before.map((b, i) => ({ ...b, id: i + 1 })));
    // the password works: the dump keeps its hash
    expect(await dashboard('400001', 'test-2026')).toContain('Заблокирован');
  });
});

describe('bad files: a clear message with the line and the field, nothing loaded', () => {
  const nothingLoaded = async () => {
    for (const table of ['towns', 'contracts', 'ledger_entries', 'staff']) expect(await t.ctx.db(table).count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
    expect(Number((await t.ctx.db('contracts').count({ n: '*' }).first())!.n)).toBe(0);
    expect(Number((await t.ctx.db('towns').count({ n: '*' }).first())!.n)).toBe(0);
    expect(Number((await t.ctx.db('ledger_entries').count({ n: '*' }).first())!.n)).toBe(0);
  };

  it.each([
    ['an unknown tariff', FILE.replace('tariff: home100', 'tariff: Гигабит 9000'), 'bad.yaml:7: contracts.400001.tariff: unknown tariff "Гигабит 9000"'],
    ['a negative payment', FILE.replace('amount: 500, date', 'amount: -500, date'), 'bad.yaml:12: contracts.400001.payments.0.amount: must be more than zero, not -500'],
    ['a date that does not exist', FILE.replace('2026-12-10', '2026-02-30'), 'bad.yaml:12: contracts.400001.payments.0.date: "2026-02-30" is not a day that exists'],
    ['a phone that is not a phone', FILE.replace('+7 913 000-00-01', '12345'), 'bad.yaml:6: contracts.400001.phones.0: "12345" is not a phone number'],
    ['a duplicate contract number', FILE.replace('  400002:', '  400001:'), 'bad.yaml:13: a key appears twice in the same place (a contract number twice?)'],
    ['a tab for indentation', FILE.replace('    name: Тестов Тест', '\tname: Тестов Тест'), 'bad.yaml:5: a tab is used for indentation'],
    ['a bad indent', FILE.replace('    password: test-2026', '      password: test-2026'), 'bad.yaml:7: bad indentation or layout near here'],
    ['an unknown field', FILE.replace('    balance: -10', '    balanse: -10'), 'bad.yaml:9: contracts.400001: unknown field "balanse"'],
    ['status blocked that the balance does not give', FILE.replace('balance: -10', 'balance: 10'), 'bad.yaml:10: contracts.400001.status: the file says blocked, but a contract is blocked when its balance is below minus its credit limit'],
    ['a promised payment the rules refuse', FILE.replace('balance: 40', 'balance: 4000'), 'bad.yaml:18: contracts.400002.promised_payment: the portal refuses it on 14.12.2026: the balance before it is not low'],
    ['a missing name', FILE.replace('    name: Второй Абонент\n', ''), 'bad.yaml:13: contracts.400002.name: is required'],
  ])('%s', async (_what, text, message) => {
    const got = await problemsOf(text);
    expect(got).toContain(message);
    await nothingLoaded();
  });

  it('a 50 MB file is refused before it is parsed (the command checks the size)', async () => {
    const big = path.join(os.tmpdir(), `kabinet-big-${process.pid}.yaml`);
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, 50 * 1024 * 1024);
    fs.closeSync(fd);
    const lines: string[] = [];
    try {
      const code = await fixturesCommand(t.ctx.config, ['check', big], (l) => lines.push(l), (l) => lines.push(l));
      expect(code).toBe(1);
      expect(lines[0]).toBe(`${big}:1: the file is 50.0 MB: a fixture is at most 5 MB (describe the state, not a data dump; seed:large makes big databases)`);
    } finally {
      fs.rmSync(big, { force: true });
    }
  });
});

describe('the command', () => {
  const run = async (args: string[], config = t.ctx.config) => {
    const lines: string[] = [];
    const code = await fixturesCommand(config, args, (l) => lines.push(l), (l) => lines.push(l));
    return { code, text: lines.join('\n') };
  };

  it('refuses to load in production', async () => {
    const err = await run(['load', path.join(DIR, 'blocked-subscriber.yaml'), '--into', ':memory:'], { ...t.ctx.config, isProduction: true }).catch((e: Error) => e.message);
    expect(err).toBe('refusing to load a fixture in production (NODE_ENV=production)');
  });

  it('check: exit 1 with every problem by line', async () => {
    const file = path.join(os.tmpdir(), `kabinet-check-${process.pid}.yaml`);
    fs.writeFileSync(file, FILE.replace('tariff: home100', 'tariff: nope').replace('2026-12-10', '2026-13-01'));
    try {
      const r = await run(['check', file]);
      expect(r.code).toBe(1);
      expect(r.text).toContain(`${file}:12: contracts.400001.payments.0.date: "2026-13-01" is not a day that exists`);
      expect((await run(['check', path.join(DIR, 'month-end.yaml')])).code).toBe(0);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  itSqlite('load refuses a database with data, and --replace makes a new one', async () => {
    const db = path.join(os.tmpdir(), `kabinet-fixture-${process.pid}.sqlite`);
    const fixture = path.join(DIR, 'blocked-subscriber.yaml');
    try {
      expect((await run(['load', fixture, '--into', db])).text).toContain('contract 300001: blocked, balance −120,50');
      await expect(run(['load', fixture, '--into', db])).rejects.toThrow(/has data \(towns, tariffs, contracts, ledger_entries\): a fixture loads only into an empty one; add --replace/);
      const again = await run(['load', fixture, '--into', db, '--replace']);
      expect(again.code).toBe(0);
      expect(again.text).toContain('KABINET_NOW=2026-12-15T12:00');
    } finally {
      for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
    }
  });
});
