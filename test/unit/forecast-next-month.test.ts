import { chargeForDays, lastsUntil, toPayForNextMonth } from '../../src/billing/forecast';
import { addDays, addMonths } from '../../src/lib/dates';

const endOfNextMonth = (today: string) => addDays(addMonths(today, 2), -1);

describe('«К оплате за следующий месяц»', () => {
  it('asks for the rest of this month and the whole next month, less the balance', () => {
    // 25..30 November at 300 ₽ a month is 60 ₽; December is 300 ₽
    expect(toPayForNextMonth(0, [30000], '2026-11-24')).toBe(6000 + 30000);
    expect(toPayForNextMonth(10000, [30000], '2026-11-24')).toBe(26000);
  });

  it('is never below zero', () => {
    expect(toPayForNextMonth(1_000_000, [30000], '2026-11-24')).toBe(0);
    expect(toPayForNextMonth(36000, [30000], '2026-11-24')).toBe(0);
  });

  it('adds what a negative balance owes', () => {
    expect(toPayForNextMonth(-5000, [30000], '2026-11-24')).toBe(6000 + 30000 + 5000);
  });

  it('counts today too when today is not charged yet (a blocked contract)', () => {
    expect(toPayForNextMonth(0, [30000], '2026-11-24', false)).toBe(chargeForDays(30000, 30, 24, 30) + 30000);
  });

  it('on the last day of a month asks for the next month only', () => {
    expect(toPayForNextMonth(0, [89000], '2026-11-30')).toBe(89000);
    expect(toPayForNextMonth(0, [89000], '2026-12-31')).toBe(89000);
  });

  it('adds services, each fee given rounded on its own (the run passes the tariff and the sum of services)', () => {
    const fees = [89000, 15001, 9999];
    const expected = fees.reduce((s, f) => s + chargeForDays(f, 30, 25, 30) + f, 0);
    expect(toPayForNextMonth(0, fees, '2026-11-24')).toBe(expected);
    expect(toPayForNextMonth(0, [89000, 0], '2026-11-24')).toBe(toPayForNextMonth(0, [89000], '2026-11-24'));
  });

  it('is exactly enough: paid, the balance lasts through next month; a kopeck less, it does not', () => {
    for (const today of ['2026-11-24', '2026-02-01', '2028-02-28', '2026-12-31', '2026-01-30']) {
      for (const fees of [[45000], [89000, 15000], [99999, 1, 33333], [1]]) {
        for (const balance of [-12345, 0, 777, 40000]) {
          const due = toPayForNextMonth(balance, fees, today);
          if (due === 0) continue;
          const enough = lastsUntil(balance + due, fees, today);
          expect(enough.kind === 'until' && enough.day >= endOfNextMonth(today)).toBe(true); // free days (a 1-kopeck fee) may follow
          const short = lastsUntil(balance + due - 1, fees, today);
          expect(short.kind === 'until' && short.day < endOfNextMonth(today)).toBe(true);
        }
      }
    }
  });
});

describe('«Хватит до» with services', () => {
  it('counts every fee charged each day', () => {
    const fees = [30000, 15000];
    const rest = chargeForDays(30000, 30, 25, 30) + chargeForDays(15000, 30, 25, 30);
    expect(lastsUntil(rest, fees, '2026-11-24')).toEqual({ kind: 'until', day: '2026-11-30' });
    expect(lastsUntil(rest - 1, fees, '2026-11-24')).toEqual({ kind: 'until', day: '2026-11-29' });
    expect(lastsUntil(100, [0, 0], '2026-11-24')).toEqual({ kind: 'unlimited' });
    expect(lastsUntil(rest, 30000, '2026-11-24')).toEqual(lastsUntil(rest, [30000], '2026-11-24'));
  });
});
