import { createPasswordHasher } from '../../src/auth/passwords';
import { seedDemo } from '../../seeds/demo';
import { makeTestApp, type TestApp } from '../support/app';

const TODAY = '2026-11-24';

async function seeded(): Promise<TestApp> {
  const t = await makeTestApp();
  const hasher = createPasswordHasher(t.ctx.config.passwordPepper, 4);
  await seedDemo(t.ctx.db, { now: t.clock.now(), today: TODAY, timeZone: t.ctx.config.timeZone, hashPassword: hasher.hash });
  return t;
}

const snapshot = (t: TestApp) =>
  Promise.all([
    t.ctx.db('contracts').select('number', 'name', 'address', 'status', 'tariff_id', 'balance_kopecks').orderBy('id'),
    t.ctx.db('ledger_entries').select('contract_id', 'kind', 'amount_kopecks', 'idempotency_key', 'occurred_at').orderBy('id'),
    t.ctx.db('payments').select('contract_id', 'amount_kopecks', 'method', 'status', 'created_at', 'ledger_entry_id').orderBy('id'),
  ]);

describe('the demo seed', () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await seeded();
  });
  afterAll(() => a.close());

  it('is the same every time for the same day', async () => {
    const b = await seeded();
    expect(await snapshot(b)).toEqual(await snapshot(a));
    await b.close();
  });

  it('has 200 contracts, the staff admin and a provider with two towns', async () => {
    expect(await a.ctx.db('contracts').count({ n: '*' }).first()).toEqual({ n: 200 });
    expect(await a.ctx.db('towns').pluck('name')).toEqual(['Новокузнецк', 'Осинники']);
    expect(await a.ctx.db('staff').where({ login: 'admin', role: 'admin' }).first()).toBeTruthy();
    expect(Number((await a.ctx.db('tariffs').distinct('segment')).length)).toBe(3);
  });

  it('gives the demo subscriber two phones, a positive balance and several pages of payments', async () => {
    const demo = await a.ctx.db('contracts').where({ number: '100001' }).first();
    expect(demo.balance_kopecks).toBeGreaterThan(0);
    expect(demo.status).toBe('active');
    expect(await a.ctx.db('contract_phones').where({ contract_id: demo.id }).count({ n: '*' }).first()).toEqual({ n: 2 });
    const n = Number((await a.ctx.db('payments').where({ contract_id: demo.id }).count({ n: '*' }).first())?.n);
    expect(n).toBeGreaterThan(40);
    const hasher = createPasswordHasher(a.ctx.config.passwordPepper, 4);
    expect(await hasher.verify('centra2026', demo.password_hash)).toBe(true);
  });

  it('keeps every cached balance equal to the sum of its ledger, and blocks only negative ones', async () => {
    const rows = await a.ctx.db('contracts as c')
      .leftJoin('ledger_entries as l', 'l.contract_id', 'c.id')
      .groupBy('c.id')
      .select('c.balance_kopecks', 'c.status', a.ctx.db.raw('coalesce(sum(l.amount_kopecks), 0) as ledger'));
    for (const r of rows) {
      expect(r.balance_kopecks).toBe(r.ledger);
      expect(r.status).toBe(r.balance_kopecks < 0 ? 'blocked' : 'active');
    }
    expect(rows.some((r) => r.status === 'blocked')).toBe(true);
  });

  it('links every succeeded payment to its ledger entry and no other', async () => {
    const loose = await a.ctx.db('payments').where({ status: 'succeeded' }).whereNull('ledger_entry_id').count({ n: '*' }).first();
    expect(loose).toEqual({ n: 0 });
    const linkedFailed = await a.ctx.db('payments').whereNot({ status: 'succeeded' }).whereNotNull('ledger_entry_id').count({ n: '*' }).first();
    expect(linkedFailed).toEqual({ n: 0 });
  });
});
