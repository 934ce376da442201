import { amountError, dueAt, maxAmount, nearlyEmpty, promisedOffer, type PromisedState } from '../../src/promised/rules';
import { wayForward } from '../../src/promised/routes';

const rules = { termDays: 3, intervalDays: 30, maxPercentOfFee: 100 };
const state = (over: Partial<PromisedState> = {}): PromisedState => ({
  status: 'blocked', balance: -500, creditLimit: 0, tariffFee: 60000, todayCharge: 2000, termCharge: 6000, open: null, last: null, today: '2026-11-24', ...over,
});

describe('the promised payment\u2019s rules', () => {
  it('offers a blocked contract from what unblocks it and pays today, up to the whole fee, suggesting the whole fee', () => {
    expect(promisedOffer(state(), rules)).toEqual({ ok: true, offer: { min: 2500, max: 60000, suggested: 60000 } });
  });

  it('counts the credit limit: a contract allowed 100 ₽ below zero needs less to come back', () => {
    expect(promisedOffer(state({ balance: -10500, creditLimit: 10000 }), rules)).toEqual({ ok: true, offer: { min: 2500, max: 60000, suggested: 60000 } });
  });

  it('never offers less than 1 ₽, even when today is paid already', () => {
    expect(promisedOffer(state({ balance: 0, todayCharge: 0 }), rules)).toMatchObject({ ok: true, offer: { min: 100 } });
  });

  it('caps the amount at the configured share of the fee, down to a whole kopeck', () => {
    expect(maxAmount(59999, 50)).toBe(29999);
    expect(promisedOffer(state(), { ...rules, maxPercentOfFee: 50 })).toMatchObject({ ok: true, offer: { max: 30000, suggested: 30000 } });
  });

  it('calls an active contract nearly empty when it cannot pay today and the term, down to its limit', () => {
    expect(nearlyEmpty(state({ status: 'active', balance: 7999 }))).toBe(true);
    expect(nearlyEmpty(state({ status: 'active', balance: 8000 }))).toBe(false);
    expect(nearlyEmpty(state({ status: 'active', balance: 0, creditLimit: 8000 }))).toBe(false);
    expect(promisedOffer(state({ status: 'active', balance: 8000 }), rules)).toEqual({ ok: false, refusal: { reason: 'notNeeded' } });
    expect(promisedOffer(state({ status: 'active', balance: 100 }), rules)).toEqual({ ok: true, offer: { min: 100, max: 60000, suggested: 60000 } });
  });

  it.each([
    ['a paused contract', state({ status: 'paused' }), { reason: 'paused' }],
    ['an open one', state({ open: { amount: 60000, dueAt: '2026-11-27T05:00:00.000Z' }, last: { takenDay: '2026-11-24', repaidLate: false } }),
      { reason: 'open', amount: 60000, dueAt: '2026-11-27T05:00:00.000Z', next: '2026-12-24' }],
    ['a late one last time, however long ago', state({ last: { takenDay: '2025-01-01', repaidLate: true } }), { reason: 'late' }],
    ['one taken 29 days ago', state({ last: { takenDay: '2026-10-26', repaidLate: false } }), { reason: 'interval', next: '2026-11-25' }],
    ['a tariff without a fee', state({ tariffFee: 0 }), { reason: 'noFee' }],
    ['a debt one kopeck over the largest amount', state({ balance: -60001 }), { reason: 'debt', max: 60000, need: 62001, debt: 60001 }],
  ])('refuses %s', (_name, s, refusal) => {
    expect(promisedOffer(s, rules)).toEqual({ ok: false, refusal });
  });

  it('takes a debt of exactly the largest amount, with today\u2019s charge on top so that the credit unblocks', () => {
    expect(promisedOffer(state({ balance: -60000 }), rules)).toEqual({ ok: true, offer: { min: 62000, max: 62000, suggested: 62000 } });
    expect(promisedOffer(state({ balance: -60000, todayCharge: 0 }), rules)).toEqual({ ok: true, offer: { min: 60000, max: 60000, suggested: 60000 } });
    expect(promisedOffer(state({ balance: -58001 }), rules)).toEqual({ ok: true, offer: { min: 60001, max: 60001, suggested: 60001 } });
    expect(promisedOffer(state({ balance: -57999 }), rules)).toEqual({ ok: true, offer: { min: 59999, max: 60000, suggested: 60000 } });
  });

  it('offers again on the 30th day after the last one, repaid on time', () => {
    expect(promisedOffer(state({ last: { takenDay: '2026-10-25', repaidLate: false } }), rules).ok).toBe(true);
  });

  it('places an amount against the offer', () => {
    const offer = { min: 2500, max: 60000, suggested: 60000 };
    expect(amountError(2499, offer)).toBe('promised.amount.tooSmall');
    expect(amountError(60001, offer)).toBe('promised.amount.tooLarge');
    expect(amountError(2500, offer)).toBeNull();
    expect(amountError(60000, offer)).toBeNull();
  });

  it('is due at the same provider time termDays later, across a month end', () => {
    expect(dueAt(new Date('2026-11-29T16:30:00.000Z'), 3, 'Asia/Novokuznetsk').toISOString()).toBe('2026-12-02T16:30:00.000Z');
    expect(dueAt(new Date('2026-03-28T10:00:00.000Z'), 3, 'Europe/Berlin').toISOString()).toBe('2026-03-31T09:00:00.000Z'); // over a DST change: 11:00 stays 11:00
    expect(dueAt(new Date('2026-04-03T23:00:00.000Z'), 3, 'Pacific/Auckland').toISOString()).toBe('2026-04-07T00:00:00.000Z'); // 12:00 NZDT -> 12:00 NZST
  });
});

describe('a refused promised payment', () => {
  it.each([
    [{ reason: 'paused' as const }, '/cabinet/voluntary-block'],
    [{ reason: 'late' as const }, '/cabinet/pay'],
    [{ reason: 'noFee' as const }, '/cabinet'],
    [{ reason: 'notNeeded' as const }, '/cabinet/pay'],
    [{ reason: 'interval' as const, next: '2026-12-24' }, '/cabinet/pay'],
    [{ reason: 'open' as const, amount: 25000, dueAt: '2026-11-27T05:00:00.000Z', next: '2026-12-24' }, '/cabinet/pay'],
    [{ reason: 'debt' as const, max: 60000, need: 62001, debt: 60001 }, '/cabinet/pay?amount=620%2C01'],
  ])('always says what to do instead: %o leads first to %s', (refusal, first) => {
    const links = wayForward(refusal);
    expect(links.length).toBeGreaterThan(0);
    expect(links[0].href).toBe(first);
  });
});
