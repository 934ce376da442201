import { t } from '../../src/web/i18n';
import { formatPhone, maskPhone, normalizePhone } from '../../src/lib/phone';

describe('the Russian catalogue', () => {
  it('picks Russian plural forms', () => {
    expect(t('history.found', { count: 1 })).toBe('Найден 1 платёж');
    expect(t('history.found', { count: 3 })).toBe('Найдено 3 платежа');
    expect(t('history.found', { count: 5 })).toBe('Найдено 5 платежей');
    expect(t('history.found', { count: 21 })).toBe('Найден 21 платёж');
    expect(t('minutes', { count: 12 })).toBe('12 минут');
  });

  it('fills placeholders', () => {
    expect(t('cabinet.contract', { number: '100001' })).toBe('Договор № 100001');
  });
});

describe('phones', () => {
  it('stores any way of writing a Russian number as E.164 and shows it masked', () => {
    expect(normalizePhone('8 (913) 123-45-67')).toBe('+79131234567');
    expect(normalizePhone('+7 913 1234567')).toBe('+79131234567');
    expect(normalizePhone('12345')).toBeNull();
    expect(formatPhone('+79131234567')).toBe('+7 (913) 123-45-67');
    expect(maskPhone('+79131234567')).toBe('+7 *** ***-45-67');
  });
});
