import { dailyCharge } from '../../src/billing/forecast';
import { planMoney, type MoneyInput } from '../../src/tariff-change/rules';

const base: MoneyInput = {
  balance: 100000 - 1500, oldFee: 45000, newFee: 90000, servicesFee: 0, today: '2026-11-24', start: '2026-11-24', chargedDays: ['2026-11-24'], todayCharged: true, runDone: true,
};

describe('the money of a tariff change', () => {
  it('from today, after the run: returns today\u2019s old share and charges the new one', () => {
    const plan = planMoney(base);
    expect(plan.corrections).toEqual([{ day: '2026-11-24', returned: 1500, charged: 3000 }]);
    expect(plan.balanceAfter).toBe(100000 - 3000);
    expect(plan).toMatchObject({ need: 3000, have: 100000, covers: true });
    expect(plan.lastsUntil.kind).toBe('until');
  });

  it('from today, after the run: covers exactly when the returned share pays the new day', () => {
    expect(planMoney({ ...base, balance: 1500 }).covers).toBe(true); // 15 ₽ + 15 ₽ back = 30 ₽
    expect(planMoney({ ...base, balance: 1499 })).toMatchObject({ covers: false, need: 3000, have: 2999 });
  });

  it('from today, before the run: nothing to recalculate; the balance must hold the new day', () => {
    const plan = planMoney({ ...base, balance: 3000, chargedDays: [], todayCharged: false, runDone: false });
    expect(plan).toMatchObject({ corrections: [], balanceAfter: 3000, need: 3000, have: 3000, covers: true, lastsUntil: { kind: 'exhausted' }, todayPending: true });
    expect(planMoney({ ...base, balance: 2999, chargedDays: [], todayCharged: false, runDone: false }).covers).toBe(false);
  });

  it('from today, on a day the run did not charge (signed after it): nothing recalculated, nothing pending', () => {
    const plan = planMoney({ ...base, balance: 5000, chargedDays: [], todayCharged: false, runDone: true });
    expect(plan).toMatchObject({ corrections: [], balanceAfter: 5000, todayPending: false });
  });

  it('from the 1st: the old tariff and services run to the month end, and lasting through its last day is enough', () => {
    const input = { ...base, balance: 10000, servicesFee: 15000, start: '2026-12-01', chargedDays: [] };
    let rest = 0;
    for (let d = 25; d <= 30; d++) rest += dailyCharge(45000, `2026-11-${d}`) + dailyCharge(15000, `2026-11-${d}`);
    const plan = planMoney(input);
    expect(plan).toMatchObject({ corrections: [], have: 10000 - rest, need: dailyCharge(90000, '2026-12-01'), balanceAfter: 10000 - rest });
    // exactly to zero on the 30th: allowed, to a dearer tariff as to a cheaper one
    expect(planMoney({ ...input, balance: rest })).toMatchObject({ have: 0, covers: true, short: 0 });
    expect(planMoney({ ...input, balance: rest, newFee: 30000 })).toMatchObject({ have: 0, covers: true });
    expect(planMoney({ ...input, balance: rest - 1 })).toMatchObject({ have: -1, covers: false, short: 1 });
  });

  it('a late job recalculates every day already charged since the start', () => {
    const plan = planMoney({ ...base, today: '2026-12-02', start: '2026-12-01', chargedDays: ['2026-12-01', '2026-12-02'], oldFee: 31000, newFee: 62000, balance: 50000 });
    expect(plan.corrections).toEqual([
      { day: '2026-12-01', returned: 1000, charged: 2000 },
      { day: '2026-12-02', returned: 1000, charged: 2000 },
    ]);
    expect(plan.balanceAfter).toBe(48000);
  });
});
