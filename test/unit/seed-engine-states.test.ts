// The demo seed leaves its contracts in states the engine itself would produce (issue 9, point 6): a blocked
// contract is one whose charges took it below 0, charged through the day that happened and not after; and money
// that unblocks any of them never makes a day be charged twice.
import { createPasswordHasher } from '../../src/auth/passwords';
import { runChargeDay } from '../../src/billing/charges';
import { dailyAmount, postEntry } from '../../src/billing/service';
import { inTransaction } from '../../src/db';
import { addDays } from '../../src/lib/dates';
import { seedDemo } from '../../seeds/demo';
import { makeTestApp, type TestApp } from '../support/app';

jest.setTimeout(120_000);

const TODAY = '2026-12-02'; // the day of the report: contract 100021 was blocked at −16,12 ₽, charged 01.12–02.12
const TZ = 'Asia/Novokuznetsk';
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
  t.clock.set('2026-12-02T05:00:00.000Z');
  const hasher = createPasswordHasher(t.ctx.config.passwordPepper, 4);
  await seedDemo(t.ctx.db, { now: t.clock.now(), today: TODAY, timeZone: TZ, hashPassword: hasher.hash });
});
afterAll(() => t.close());

type Charge = { contract_id: number; period_from: string; period_to: string };
const chargesOf = async () => {
  const rows = await t.ctx.db('ledger_entries').where({ kind: 'charge' }).where('period_to', '>=', '2026-11-01').select<Charge[]>('contract_id', 'period_from', 'period_to');
  const by = new Map<number, Charge[]>();
  for (const r of rows) by.set(r.contract_id, [...(by.get(r.contract_id) ?? []), r]);
  return by;
};
const timesCharged = (charges: Charge[] | undefined, day: string) => (charges ?? []).filter((c) => c.period_from <= day && day <= c.period_to).length;

describe('the demo seed, as the engine would leave it', () => {
  it('charges an active contract through today and a blocked one not through today, each day of the month at most once', async () => {
    const contracts = await t.ctx.db('contracts').select('id', 'number', 'status', 'balance_kopecks', 'created_at');
    const charges = await chargesOf();
    const blocked = contracts.filter((c) => c.status === 'blocked');
    expect(blocked.length).toBeGreaterThan(0);
    for (const c of contracts) {
      expect([c.number, c.status]).toEqual([c.number, c.balance_kopecks < 0 ? 'blocked' : 'active']);
      for (let day = '2026-12-01'; day <= TODAY; day = addDays(day, 1)) expect([c.number, day, timesCharged(charges.get(c.id), day) <= 1]).toEqual([c.number, day, true]);
    }
    // A blocked contract charged for today was still at 0 or above before today's share: it fell below 0 today.
    // (The seed used to charge a blocked contract's month through today, as if blocking did not stop charging.)
    const chargedToday = blocked.filter((c) => timesCharged(charges.get(c.id), TODAY) === 1);
    for (const c of chargedToday) {
      const share = await dailyAmount(t.ctx.db, c.id, TODAY);
      expect([c.number, c.balance_kopecks + share >= 0]).toEqual([c.number, true]);
    }
  });

  it('unblocking every blocked contract today, then the next day\u2019s run, charges no day twice', async () => {
    const blocked = await t.ctx.db('contracts').where({ status: 'blocked' }).select('id', 'balance_kopecks');
    let k = 0;
    for (const c of blocked) {
      await inTransaction(t.ctx.db, (trx) =>
        postEntry(trx, { contract_id: c.id, kind: 'payment', amount_kopecks: -c.balance_kopecks + 100_000, description: 'Оплата', idempotency_key: `test:unblock:${++k}`, occurred_at: t.clock.now().toISOString() }, { today: TODAY, cause: 'payment' }),
      );
    }
    await runChargeDay(t.ctx.db, addDays(TODAY, 1), { timeZone: TZ, now: new Date('2026-12-02T17:05:00.000Z'), pausedDailyFeeKopecks: 0 });
    const charges = await chargesOf();
    for (const [id, list] of charges) {
      for (let day = '2026-11-01'; day <= addDays(TODAY, 1); day = addDays(day, 1)) expect([id, day, timesCharged(list, day) <= 1]).toEqual([id, day, true]);
    }
    const unblocked = await t.ctx.db('contracts').whereIn('id', blocked.map((c) => c.id)).pluck('status');
    expect(new Set(unblocked)).toEqual(new Set(['active']));
  });
});
