import { formatMoney, kopecks, parseMoney } from '../../src/lib/money';

describe('money', () => {
  it('formats kopecks the Russian way, with a no-break space before the rouble sign', () => {
    expect(formatMoney(123450)).toBe('1\u00a0234,50\u00a0₽');
    expect(formatMoney(5)).toBe('0,05\u00a0₽');
    expect(formatMoney(-89000)).toBe('−890,00\u00a0₽');
  });

  it('reads amounts as people type them and refuses what is not money', () => {
    expect(parseMoney('1 234,5')).toBe(123450);
    expect(parseMoney('500')).toBe(50000);
    expect(parseMoney('9.999')).toBeNull();
    expect(parseMoney('-5')).toBeNull();
    expect(parseMoney('1e9')).toBeNull();
    expect(parseMoney('abc')).toBeNull();
  });

  it('refuses a fraction of a kopeck', () => {
    expect(() => kopecks(1.5)).toThrow(RangeError);
  });
});
