import { checkPeriod, countedDays, daysInclusive, daysInYear, lastCountedDay, usedInYear, type CountedBlock } from '../../src/voluntary-block/rules';

const TZ = 'Asia/Novokuznetsk';
const rules = { minDays: 7, maxDays: 90, daysPerYear: 90, dailyFeeKopecks: 0 };
const block = (from_day: string, to_day: string, status: CountedBlock['status'] = 'finished', ended_at: string | null = null): CountedBlock => ({ from_day, to_day, status, ended_at });
const period = (from: string, to: string, blocks: CountedBlock[] = []) => checkPeriod({ from, to, today: '2026-11-24', rules, blocks, tz: TZ });

describe('the voluntary block\u2019s rules', () => {
  it('counts days inclusively, over month ends and a leap February', () => {
    expect(daysInclusive('2026-12-01', '2026-12-01')).toBe(1);
    expect(daysInclusive('2026-11-25', '2026-12-04')).toBe(10);
    expect(daysInclusive('2028-02-27', '2028-03-01')).toBe(4);
  });

  it('splits a period between the calendar years it touches', () => {
    expect(daysInYear('2026-12-25', '2027-01-10', 2026)).toBe(7);
    expect(daysInYear('2026-12-25', '2027-01-10', 2027)).toBe(10);
    expect(daysInYear('2026-12-25', '2027-01-10', 2028)).toBe(0);
  });

  it('counts scheduled and active blocks in full, cancelled ones not at all, finished ones until the day before they ended', () => {
    expect(countedDays(block('2026-12-01', '2026-12-14', 'scheduled'), TZ)).toBe(14);
    expect(countedDays(block('2026-12-01', '2026-12-14', 'active'), TZ)).toBe(14);
    expect(countedDays(block('2026-12-01', '2026-12-14', 'cancelled', '2026-11-20T00:00:00.000Z'), TZ)).toBe(0);
    expect(countedDays(block('2026-12-01', '2026-12-14', 'finished', '2026-12-14T17:01:00.000Z'), TZ)).toBe(14); // ended by itself on 15.12 00:01
    expect(countedDays(block('2026-12-01', '2026-12-14', 'finished', '2026-12-20T05:00:00.000Z'), TZ)).toBe(14); // its end job ran late
    expect(countedDays(block('2026-12-01', '2026-12-14', 'finished', '2026-12-05T05:00:00.000Z'), TZ)).toBe(4); // ended early on 05.12
    expect(lastCountedDay(block('2026-12-01', '2026-12-14', 'finished', '2026-12-01T05:00:00.000Z'), TZ)).toBeNull(); // ended on its first day
  });

  it('adds up a year\u2019s blocks in the provider\u2019s calendar', () => {
    const blocks = [block('2026-12-25', '2027-01-10', 'scheduled'), block('2026-03-01', '2026-03-10', 'finished', '2026-03-10T17:01:00.000Z'), block('2026-05-01', '2026-06-01', 'cancelled')];
    expect(usedInYear(blocks, 2026, TZ)).toBe(7 + 10);
    expect(usedInYear(blocks, 2027, TZ)).toBe(10);
  });

  it('takes a period from today, from the minimum to the maximum length', () => {
    expect(period('2026-11-24', '2026-11-30')).toEqual({ ok: true, days: 7 });
    expect(period('2026-12-01', '2027-02-28')).toEqual({ ok: true, days: 90 });
  });

  it.each([
    ['a start in the past', '2026-11-23', '2026-12-01', { field: 'from', key: 'vb.from.past' }],
    ['a start more than a year ahead', '2027-11-25', '2027-12-10', { field: 'from', key: 'vb.from.tooFar' }],
    ['an end before the start', '2026-12-10', '2026-12-09', { field: 'to', key: 'vb.to.beforeFrom' }],
    ['six days', '2026-12-01', '2026-12-06', { field: 'to', key: 'vb.to.tooShort' }],
    ['91 days', '2026-12-01', '2027-03-01', { field: 'to', key: 'vb.to.tooLong' }],
  ])('refuses %s', (_name, from, to, error) => {
    expect(period(from, to)).toEqual({ ok: false, error });
  });

  it('refuses a period over the yearly limit in any year it touches, saying how many days are left', () => {
    const used = [block('2026-01-10', '2026-04-02', 'finished', '2026-04-02T17:01:00.000Z')]; // 83 days
    expect(period('2026-12-20', '2026-12-26', used)).toEqual({ ok: true, days: 7 });
    expect(period('2026-12-20', '2026-12-27', used)).toEqual({ ok: false, error: { field: 'to', key: 'vb.to.overYear', year: 2026, left: 7 } });
    const nextYear = [block('2027-02-01', '2027-05-01', 'scheduled')]; // 90 days of 2027
    expect(period('2026-12-25', '2027-01-02', nextYear)).toEqual({ ok: false, error: { field: 'to', key: 'vb.to.overYear', year: 2027, left: 0 } });
  });
});
