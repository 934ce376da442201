import { amountInput, decimalValue, formatMoney, kopecks, parseDecimalValue, parseMoney, roundUpToRubles, wholeRublesInput } from '../../src/lib/money';

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

  it('gives the text of a form field and of a payment API back without floating point', () => {
    expect(amountInput(60000)).toBe('600,00');
    expect(amountInput(5)).toBe('0,05');
    expect(wholeRublesInput(10000)).toBe('100');
    expect(wholeRublesInput(10050)).toBe('100,50');
    expect(decimalValue(12345)).toBe('123.45');
    expect(decimalValue(7)).toBe('0.07');
    expect(parseDecimalValue('123.45')).toBe(12345);
    expect(parseDecimalValue('0.1')).toBe(10);
    expect(parseDecimalValue('1.234')).toBeNull();
  });

  it('rounds up to whole rubles with integers', () => {
    expect(roundUpToRubles(72001)).toBe(72100);
    expect(roundUpToRubles(72000)).toBe(72000);
    expect(roundUpToRubles(1)).toBe(100);
    expect(roundUpToRubles(-150)).toBe(-100);
  });
});
