// Issue 9 point 29 (the part in src/profile, src/autopay, src/recovery): the SMS, e-mail, notice and autopayment-terms
// texts come from the catalogue (src/web/messages.ru.ts via t()), so no Russian sentence is left in their code.
import fs from 'node:fs';
import path from 'node:path';
import { TERMS_TEXT } from '../../src/autopay/terms';
import { t } from '../../src/web/i18n';

const ROOT = path.join(__dirname, '..', '..', 'src');
// Names, not texts: a browser's own name, and words a password must not be made of.
const ALLOWED = new Set(['Яндекс Браузер', 'кабинет', 'личныйкабинет', 'провайдер', 'интернет']);

describe('texts of the profile, autopayment and recovery', () => {
  it.each(['profile', 'autopay', 'recovery'])('src/%s has no Russian string literal outside the catalogue', (dir) => {
    const found: string[] = [];
    for (const file of fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.ts'))) {
      const code = fs.readFileSync(path.join(ROOT, dir, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
      for (const m of code.matchAll(/(['"`])((?:(?!\1)[^\\\n]|\\.)*)\1/g)) {
        if (/[а-яё]/i.test(m[2]) && !ALLOWED.has(m[2])) found.push(`${file}: ${m[2]}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('takes the autopayment terms from the catalogue, word for word', () => {
    expect(TERMS_TEXT).toBe(t('autopay.terms.text'));
    expect(TERMS_TEXT.split('\n')[0]).toBe('Условия автоматического платежа.');
  });
});
