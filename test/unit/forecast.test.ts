import { amountToUnblock, chargeForDays, dailyCharge, lastsUntil } from '../../src/billing/forecast';
import { daysInMonth } from '../../src/lib/dates';

describe('daily charges and the forecast', () => {
  it('adds the days of any month up to the fee exactly', () => {
    for (const fee of [1, 45000, 89000, 99999, 390000]) {
      for (const [y, m] of [[2026, 2], [2028, 2], [2026, 11], [2026, 12]]) {
        const dim = daysInMonth(y, m);
        let sum = 0;
        for (let d = 1; d <= dim; d++) sum += chargeForDays(fee, dim, d, d);
        expect(sum).toBe(fee);
      }
    }
  });

  it('charges 890 ₽ over November as 29,66 ₽ and 29,67 ₽ days', () => {
    expect(new Set(Array.from({ length: 30 }, (_, i) => dailyCharge(89000, `2026-11-${String(i + 1).padStart(2, '0')}`)))).toEqual(new Set([2966, 2967]));
  });

  it('says a balance of exactly the rest of the month lasts to the month end', () => {
    const rest = chargeForDays(30000, 30, 25, 30); // 25..30 November
    expect(lastsUntil(rest, 30000, '2026-11-24')).toEqual({ kind: 'until', day: '2026-11-30' });
    expect(lastsUntil(rest - 1, 30000, '2026-11-24')).toEqual({ kind: 'until', day: '2026-11-29' });
  });

  it('runs across months and years', () => {
    // 6 days of November + all of December + 10 days of January at 310 ₽ a month
    const balance = chargeForDays(31000, 30, 25, 30) + 31000 + chargeForDays(31000, 31, 1, 10);
    expect(lastsUntil(balance, 31000, '2026-11-24')).toEqual({ kind: 'until', day: '2027-01-10' });
  });

  it('says when the money does not cover tomorrow, and when there is no fee', () => {
    expect(lastsUntil(0, 45000, '2026-11-24')).toEqual({ kind: 'exhausted' });
    expect(lastsUntil(-100, 45000, '2026-11-24')).toEqual({ kind: 'exhausted' });
    expect(lastsUntil(100, 0, '2026-11-24')).toEqual({ kind: 'unlimited' });
  });

  it('stops counting after ten years', () => {
    expect(lastsUntil(1_000_000_000, 100, '2026-11-24').kind).toBe('beyond');
  });
});

describe('the forecast with a promised payment to be taken back', () => {
  // 310 ₽ a month in December: 10 ₽ a day. Today is 2 December; 250 ₽ are taken back on 5 December.
  const back = [{ day: '2026-12-05', amount: 25000 }];

  it('counts the take-back on its day: 300 ₽ of which 250 ₽ are promised last to 7 December, not to 1 January', () => {
    expect(lastsUntil(30000, 31000, '2026-12-02')).toEqual({ kind: 'until', day: '2027-01-01' });
    // 3..5 December cost 30 ₽, 250 ₽ leave on the 5th: 20 ₽ left, two more days
    expect(lastsUntil(30000, 31000, '2026-12-02', back)).toEqual({ kind: 'until', day: '2026-12-07' });
  });

  it('ends the day before the take-back when the balance cannot pay that day and the take-back both', () => {
    expect(lastsUntil(27999, 31000, '2026-12-02', back)).toEqual({ kind: 'until', day: '2026-12-04' });
    expect(lastsUntil(28000, 31000, '2026-12-02', back)).toEqual({ kind: 'until', day: '2026-12-05' });
    expect(lastsUntil(25500, 31000, '2026-12-02', [{ day: '2026-12-03', amount: 25000 }])).toEqual({ kind: 'exhausted' });
  });

  it('takes a take-back due later today first, and runs on across months after it', () => {
    expect(lastsUntil(25000, 31000, '2026-12-05', back)).toEqual({ kind: 'exhausted' });
    const balance = 25000 + chargeForDays(31000, 31, 3, 31) + chargeForDays(31000, 31, 1, 10);
    expect(lastsUntil(balance, 31000, '2026-12-02', back)).toEqual({ kind: 'until', day: '2027-01-10' });
  });

  it('says what opens a blocked contract: back to the credit limit, plus today\u2019s charge if not taken yet', () => {
    expect(amountToUnblock(-45000, 0, 1452)).toBe(46452);
    expect(amountToUnblock(-1612, 0, 0)).toBe(1612);
    expect(amountToUnblock(-15000, 10000, 1000)).toBe(6000);
  });
});
