import { runChargeDay, runChargeDaysThrough } from '../../src/billing/charges';
import { dropFailure, failWrites } from '../support/engine';
import { chargeForDays } from '../../src/billing/forecast';
import { checkBalance, postEntry } from '../../src/billing/service';
import { failureOf, makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const TZ = 'Asia/Novokuznetsk';
const run = (day: string, pausedDailyFeeKopecks = 0) => runChargeDay(t.ctx.db, day, { timeZone: TZ, now: t.clock.now(), pausedDailyFeeKopecks });
const pay = (contractId: number, amount: number, key: string, today?: string) =>
  t.ctx.db.transaction((trx) =>
    postEntry(trx, { contract_id: contractId, kind: 'payment', amount_kopecks: amount, description: 'Оплата', idempotency_key: key, occurred_at: t.clock.now().toISOString() }, { today }),
  );
const contract = (id: number) => t.ctx.db('contracts').where({ id }).first();
const charges = (id: number) => t.ctx.db('ledger_entries').where({ contract_id: id, kind: 'charge' }).orderBy('period_from').select('amount_kopecks', 'period_from');

describe('the daily charge run', () => {
  it('charges an active contract its share of the day, once however often it runs', async () => {
    const c = await makeContract(t.ctx, { fee: 89000, payments: [{ amount: 100000, at: '2026-11-01T05:00:00.000Z' }] });
    const first = await run('2026-11-24');
    const again = await run('2026-11-24');
    expect(first).toMatchObject({ alreadyDone: false, contractsCharged: 1, totalKopecks: chargeForDays(89000, 30, 24, 24) });
    expect(again.alreadyDone).toBe(true);
    expect(await charges(c.id)).toEqual([{ amount_kopecks: -chargeForDays(89000, 30, 24, 24), period_from: '2026-11-24' }]);
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 100000 - 2967, ledger: 100000 - 2967 });
  });

  it('charges exactly the monthly fee over a whole month', async () => {
    t.clock.set('2026-11-01T05:00:00.000Z');
    const c = await makeContract(t.ctx, { fee: 99999, payments: [{ amount: 200000, at: '2026-11-01T05:00:00.000Z' }] });
    t.clock.set('2026-12-31T20:00:00.000Z');
    await t.ctx.db('charge_days').insert({ day: '2026-11-30', contracts_charged: 0, total_kopecks: 0, finished_at: 'x' });
    const results = await runChargeDaysThrough(t.ctx.db, '2026-12-31', { timeZone: TZ, now: () => t.clock.now(), pausedDailyFeeKopecks: 0 });
    expect(results.map((r) => r.day)).toEqual(Array.from({ length: 31 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`));
    const december = (await charges(c.id)).filter((e) => e.period_from.startsWith('2026-12'));
    expect(december).toHaveLength(31);
    expect(december.reduce((s, e) => s - e.amount_kopecks, 0)).toBe(99999);
  });

  it('does not charge a blocked or a paused contract, nor one signed after the day', async () => {
    const blocked = await makeContract(t.ctx, { status: 'blocked' });
    const paused = await makeContract(t.ctx, { status: 'active' });
    await t.ctx.db('contracts').where({ id: paused.id }).update({ status: 'paused' });
    const later = await makeContract(t.ctx);
    await t.ctx.db('contracts').where({ id: later.id }).update({ created_at: '2026-11-25T00:00:00.000Z' });
    const r = await run('2026-11-24');
    expect(r.contractsCharged).toBe(0);
    for (const id of [blocked.id, paused.id, later.id]) expect(await charges(id)).toEqual([]);
  });

  it('charges a paused contract the voluntary-block daily fee when config sets one', async () => {
    const c = await makeContract(t.ctx, { payments: [{ amount: 10000, at: '2026-11-01T05:00:00.000Z' }] });
    await t.ctx.db('contracts').where({ id: c.id }).update({ status: 'paused' });
    await run('2026-11-24', 300);
    expect(await charges(c.id)).toEqual([{ amount_kopecks: -300, period_from: '2026-11-24' }]);
  });

  it('blocks a contract whose balance falls below zero, or below its credit limit, and records why', async () => {
    const poor = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 500, at: '2026-11-01T05:00:00.000Z' }] });
    const trusted = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 500, at: '2026-11-01T05:00:00.000Z' }] });
    await t.ctx.db('contracts').where({ id: trusted.id }).update({ credit_limit_kopecks: 50000 });
    const r = await run('2026-11-24');
    expect(r.blocked).toBe(1);
    expect((await contract(poor.id)).status).toBe('blocked');
    expect((await contract(trusted.id)).status).toBe('active');
    expect(await t.ctx.db('contract_status_changes').where({ contract_id: poor.id }).first()).toMatchObject({ from_status: 'active', to_status: 'blocked', cause: 'balance_below_limit' });
    expect((await run('2026-11-25')).contractsCharged).toBe(1); // only the trusted one
  });

  it('unblocks at once when a payment brings the balance back, and takes that day\u2019s charge once', async () => {
    const c = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 500, at: '2026-11-01T05:00:00.000Z' }] });
    await run('2026-11-24'); // 500 - 1000 = -500: blocked
    await run('2026-11-25'); // blocked: not charged
    expect((await contract(c.id)).balance_kopecks).toBe(-500);
    await pay(c.id, 5000, 'p1', '2026-11-25');
    const after = await contract(c.id);
    expect(after.status).toBe('active');
    expect(after.balance_kopecks).toBe(-500 + 5000 - 1000);
    expect((await charges(c.id)).map((e) => e.period_from)).toEqual(['2026-11-24', '2026-11-25']);
    await run('2026-11-25'); // already done
    await pay(c.id, 100, 'p2', '2026-11-25');
    expect((await charges(c.id)).length).toBe(2);
    const causes = await t.ctx.db('contract_status_changes').where({ contract_id: c.id }).orderBy('id').pluck('cause');
    expect(causes).toEqual(['balance_below_limit', 'payment']);
  });

  it('catches up missed days in order and marks each one done', async () => {
    t.clock.set('2026-11-01T05:00:00.000Z'); // the contract is signed before the days to charge
    const c = await makeContract(t.ctx, { fee: 30000, payments: [{ amount: 100000, at: '2026-11-01T05:00:00.000Z' }] });
    await run('2026-11-20');
    const results = await runChargeDaysThrough(t.ctx.db, '2026-11-24', { timeZone: TZ, now: () => t.clock.now(), pausedDailyFeeKopecks: 0 });
    expect(results.map((r) => r.day)).toEqual(['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    expect(await t.ctx.db('charge_days').orderBy('day').pluck('day')).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    expect((await charges(c.id)).length).toBe(5);
  });

  it('leaves nothing of a day that failed in the middle, and charges it whole on the next run', async () => {
    const a = await makeContract(t.ctx, { payments: [{ amount: 100000, at: '2026-11-01T05:00:00.000Z' }] });
    const b = await makeContract(t.ctx, { payments: [{ amount: 100000, at: '2026-11-01T05:00:00.000Z' }] });
    await failWrites(t.ctx.db, { name: 'crash', table: 'ledger_entries', event: 'insert', when: `new.contract_id = ${b.id}`, message: 'crash' });
    expect(await failureOf(run('2026-11-24'))).toMatch(/crash/);
    expect(await charges(a.id)).toEqual([]);
    expect(await t.ctx.db('charge_days').count({ n: '*' }).first()).toEqual({ n: 0 });
    await dropFailure(t.ctx.db, 'crash', 'ledger_entries');
    expect((await run('2026-11-24')).contractsCharged).toBe(2);
    for (const id of [a.id, b.id]) expect(await checkBalance(t.ctx.db, id)).toEqual({ cached: 100000 - 2000, ledger: 100000 - 2000 });
  });

  it('charges a day once when two runs start together', async () => {
    const c = await makeContract(t.ctx, { payments: [{ amount: 100000, at: '2026-11-01T05:00:00.000Z' }] });
    const [x, y] = await Promise.all([run('2026-11-24'), run('2026-11-24')]);
    expect([x.alreadyDone, y.alreadyDone].sort()).toEqual([false, true]);
    expect((await charges(c.id)).length).toBe(1);
  });
});
