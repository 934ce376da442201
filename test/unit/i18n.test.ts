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
    expect(t('cabinet.contract', { number: '100001' })).toBe('Договор №\u00a0100001');
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

  it.each([
    ['Novokuznetsk, code 3843', '+73843756000', '+7 (3843) 75-60-00'],
    ['Osinniki, code 38471', '+73847141234', '+7 (38471) 4-12-34'],
    ['the Osinniki contact centre', '+73847151399', '+7 (38471) 5-13-99'],
    ['Kemerovo, code 3842', '+73842123456', '+7 (3842) 12-34-56'],
    ['a mobile 9xx number', '+79131234567', '+7 (913) 123-45-67'],
    ['a mobile 905 number', '+79050756667', '+7 (905) 075-66-67'],
    ['Moscow, code 495 (libphonenumber-js\u2019s own grouping)', '+74951234567', '+7 (495) 123-45-67'],
    ['a foreign number, in the international format', '+375291234567', '+375 29 123 45 67'],
  ])('groups %s by its real area code', (_name, e164, shown) => {
    expect(formatPhone(e164)).toBe(shown);
  });
});
