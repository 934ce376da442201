// The rules of a new password (issue 9 point 12): a real blocklist of common passwords, Russian ones included, and
// the words an attacker knows about this subscriber.
import { commonPasswords, MIN_LISTED_LENGTH } from '../../src/lib/passwordBlocklist';
import { checkNewPassword } from '../../src/recovery/passwordRules';

jest.setTimeout(30_000); // the list is built once, about 0.2 s, longer on a busy machine

const ctx = { contractNumber: '100001', providerName: 'Сеть Центр' };
const check = (p: string) => checkNewPassword(p, p, ctx);

describe('the list of common passwords', () => {
  it('holds at least 10 000 passwords of 8 characters or more, Russian ones among them', () => {
    const list = [...commonPasswords()];
    expect(list.length).toBeGreaterThanOrEqual(10_000);
    expect(list.every((p) => [...p].length >= MIN_LISTED_LENGTH)).toBe(true);
    expect(list.filter((p) => /[а-яё]/.test(p)).length).toBeGreaterThanOrEqual(1_000);
  });

  it.each(['йцукенгшщз', 'пароль123', 'P@ssw0rd', '00000000', 'ПАРОЛЬ123', 'qwertyuiop', 'gfhjkm123', 'Password1', 'abcabcabc'])(
    'refuses %s as common', (p) => {
      expect(check(p)).toBe('common');
    });

  it.each(['centra2026', 'CENTRA2026', '10000100', 'мой100001дом', 'Центр2026!', 'сетьцентр1', 'Сеть Центр 2026'])(
    'refuses %s as made of what is known about the subscriber', (p) => {
      expect(check(p)).toBe('personal');
    });

  it('accepts an ordinary passphrase and a random string, and still checks the repeat', () => {
    expect(check('новый длинный пароль')).toBeNull();
    expect(check('k7#Vq9!zLm')).toBeNull();
    expect(check('зелёный трамвай едет')).toBeNull();
    expect(checkNewPassword('зелёный трамвай едет', 'зелёный трамвай', ctx)).toBe('mismatch');
    expect(check('коротко')).toBe('short');
  });

  it('uses the contract number it is given, not a fixed one', () => {
    expect(checkNewPassword('жук100002жук', 'жук100002жук', { ...ctx, contractNumber: '100002' })).toBe('personal');
    expect(checkNewPassword('жук100002жук', 'жук100002жук', ctx)).toBeNull();
    // the contract number itself, where numbers are long enough to be a password
    expect(checkNewPassword('20260042', '20260042', { ...ctx, contractNumber: '20260042' })).toBe('personal');
  });
});
