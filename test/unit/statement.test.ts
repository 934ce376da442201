import { csvAmount, csvText, statementCsv } from '../../src/statement/csv';
import { MAX_MONTHS, monthsSpanned, resolvePeriod } from '../../src/statement/period';
import { groupRows, monthlyTotals, type StatementEntry } from '../../src/statement/totals';

let id = 0;
const entry = (day: string, kind: string, amount: number, description = kind, period?: [string, string]): StatementEntry => ({
  id: ++id, kind, amount_kopecks: amount, description, period_from: period?.[0] ?? null, period_to: period?.[1] ?? null, occurred_at: `${day}T00:00:00.000Z`, day,
});
const daily = (day: string, amount = -1500) => entry(day, 'charge', amount, 'Абонентская плата за день', [day, day]);

describe('monthly totals of a statement', () => {
  it('lists every month the period touches, whole or in part, even without entries', () => {
    const months = monthlyTotals(0, [], { from: '2026-01-15', to: '2026-03-10' });
    expect(months.map((m) => [m.month, m.from, m.to, m.whole])).toEqual([
      ['2026-01', '2026-01-15', '2026-01-31', false],
      ['2026-02', '2026-02-01', '2026-02-28', true],
      ['2026-03', '2026-03-01', '2026-03-10', false],
    ]);
    expect(months.every((m) => m.opening === 0 && m.closing === 0)).toBe(true);
  });

  it('adds up exactly: opening + charges + payments + other = closing, and the next month opens with it', () => {
    const entries = [
      entry('2026-01-20', 'payment', 50000), daily('2026-01-20'), entry('2026-01-25', 'refund', -1000),
      entry('2026-02-03', 'promised_credit', 30000), daily('2026-02-03', -1607), entry('2026-02-06', 'promised_repayment', -30000),
      entry('2026-03-01', 'correction', 333), entry('2026-03-02', 'charge', -45000, 'Абонентская плата', ['2026-03-01', '2026-03-31']),
    ];
    const months = monthlyTotals(-700, entries, { from: '2026-01-15', to: '2026-03-10' });
    expect(months.map(({ opening, charges, payments, other, closing }) => ({ opening, charges, payments, other, closing }))).toEqual([
      { opening: -700, charges: -1500, payments: 50000, other: -1000, closing: 46800 },
      { opening: 46800, charges: -1607, payments: 0, other: 0, closing: 45193 },
      { opening: 45193, charges: -45000, payments: 0, other: 333, closing: 526 },
    ]);
    expect(months[2].closing).toBe(-700 + entries.reduce((s, e) => s + e.amount_kopecks, 0));
  });

  it('refuses an entry outside the period rather than lose it', () => {
    expect(() => monthlyTotals(0, [entry('2026-05-01', 'payment', 1)], { from: '2026-01-01', to: '2026-01-31' })).toThrow(RangeError);
  });
});

describe('the rows of a statement', () => {
  it('folds consecutive daily charges of one month into one row, keeping the sum', () => {
    const rows = groupRows([daily('2026-01-29'), daily('2026-01-30'), daily('2026-01-31'), daily('2026-02-01'), daily('2026-02-02')]);
    expect(rows.map((r) => [r.firstDay, r.lastDay, r.days, r.amount])).toEqual([
      ['2026-01-29', '2026-01-31', 3, -4500],
      ['2026-02-01', '2026-02-02', 2, -3000],
    ]);
  });

  it('breaks a run at another entry, a missing day or another description', () => {
    const rows = groupRows([
      daily('2026-01-01'), entry('2026-01-01', 'payment', 100), daily('2026-01-02'), daily('2026-01-04'),
      entry('2026-01-05', 'charge', -3000, 'Абонентская плата за 05.01.2026 по тарифу «Быстрый»', ['2026-01-05', '2026-01-05']), daily('2026-01-06'),
    ]);
    expect(rows.map((r) => [r.kind, r.firstDay, r.days])).toEqual([
      ['charge', '2026-01-01', 1], ['payment', '2026-01-01', 1], ['charge', '2026-01-02', 1], ['charge', '2026-01-04', 1], ['charge', '2026-01-05', 1], ['charge', '2026-01-06', 1],
    ]);
  });

  it('keeps the days a single entry covers (a monthly charge), and no days for a one-day one', () => {
    const [monthly, payment] = groupRows([entry('2026-01-31', 'charge', -45000, 'Абонентская плата', ['2026-01-01', '2026-01-31']), entry('2026-01-31', 'payment', 100)]);
    expect(monthly.period).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(payment.period).toBeNull();
    expect(groupRows([daily('2026-01-01')])[0].period).toBeNull();
  });

  it('never changes the total', () => {
    const entries = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? entry(`2026-03-${String((i % 28) + 1).padStart(2, '0')}`, 'payment', 1000 + i) : daily(`2026-03-${String((i % 28) + 1).padStart(2, '0')}`, -1000 - i)));
    const sum = (xs: { amount?: number; amount_kopecks?: number }[]) => xs.reduce((s, x) => s + (x.amount ?? x.amount_kopecks ?? 0), 0);
    expect(sum(groupRows(entries))).toBe(sum(entries));
  });
});

describe('the CSV of a statement', () => {
  it('writes amounts as spreadsheet numbers in Russian notation', () => {
    expect(csvAmount(123450)).toBe('1234,50');
    expect(csvAmount(-5)).toBe('-0,05');
    expect(csvAmount(0)).toBe('0,00');
    expect(csvAmount(-100000000)).toBe('-1000000,00');
  });

  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvText('Оплата')).toBe('Оплата');
    expect(csvText('a;b')).toBe('"a;b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvText('line\nbreak')).toBe('"line\nbreak"');
  });

  it('starts with a BOM and a header, one CRLF line per entry with the balance after it', () => {
    const csv = statementCsv(1000, [entry('2026-01-02', 'payment', 50000, 'Оплата'), daily('2026-01-03')], { header: ['A', 'B', 'C', 'D', 'E', 'F'], kind: (k) => k.toUpperCase() });
    expect(csv).toBe('\uFEFFA;B;C;D;E;F\r\n02.01.2026;PAYMENT;Оплата;;500,00;510,00\r\n03.01.2026;CHARGE;Абонентская плата за день;03.01.2026;-15,00;495,00\r\n');
  });
});

describe('the period of a statement', () => {
  it('is the last 12 months by default, to today', () => {
    expect(resolvePeriod({ from: null, to: null }, '2026-11-24')).toEqual({ ok: true, period: { from: '2025-12-01', to: '2026-11-24' } });
    expect(resolvePeriod({ from: null, to: '2026-03-15' }, '2026-11-24')).toEqual({ ok: true, period: { from: '2025-04-01', to: '2026-03-15' } });
    expect(resolvePeriod({ from: '2026-10-10', to: null }, '2026-11-24')).toEqual({ ok: true, period: { from: '2026-10-10', to: '2026-11-24' } });
  });

  it(`allows ${MAX_MONTHS} calendar months and no more`, () => {
    expect(monthsSpanned('2026-01-31', '2026-02-01')).toBe(2);
    expect(resolvePeriod({ from: '2023-12-31', to: '2026-11-01' }, '2026-11-24').ok).toBe(true);
    expect(resolvePeriod({ from: '2023-11-30', to: '2026-11-01' }, '2026-11-24')).toEqual({ ok: false, errors: { from: 'statement.period.tooLong' } });
    expect(resolvePeriod({ from: '2016-11-24', to: '2026-11-24' }, '2026-11-24').ok).toBe(false);
  });

  it('ends today at the latest', () => {
    expect(resolvePeriod({ from: '2026-11-01', to: '2030-01-01' }, '2026-11-24')).toEqual({ ok: true, period: { from: '2026-11-01', to: '2026-11-24' } });
  });

  it('refuses a start in the future and a reversed period', () => {
    expect(resolvePeriod({ from: '2026-11-25', to: null }, '2026-11-24')).toEqual({ ok: false, errors: { from: 'statement.from.future' } });
    expect(resolvePeriod({ from: '2026-11-20', to: '2026-11-10' }, '2026-11-24')).toEqual({ ok: false, errors: { to: 'period.reversed' } });
  });
});
