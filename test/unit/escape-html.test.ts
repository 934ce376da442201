// The views' escape function gives exactly what EJS's own escapeXML gives, for every kind of value a view prints.
import { escapeXML } from 'ejs';
import { escapeHtml } from '../../src/web/escapeHtml';

describe('escapeHtml', () => {
  it.each([
    ['plain', 'Баланс: 1 000,00 ₽'],
    ['every special', `<a href="x?a=1&b='2'">Tom & "Jerry"</a>`],
    ['already escaped', '&amp; &lt;'],
    ['empty', ''],
    ['number', 42],
    ['zero', 0],
    ['false', false],
    ['null', null],
    ['undefined', undefined],
    ['object', { toString: () => '<b>' }],
    ['date', new Date('2026-11-24T05:00:00.000Z')],
  ])('%s', (_name, value) => {
    expect(escapeHtml(value)).toBe(escapeXML(value));
  });
});
