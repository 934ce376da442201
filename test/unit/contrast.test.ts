// WCAG 1.4.3: error text (the red of field errors, the error summary's links, a negative balance, «Заблокирован»)
// is at least 4.5:1 on every background it sits on: the page, a card, the footer.
import fs from 'node:fs';
import path from 'node:path';

const css = fs.readFileSync(path.join(__dirname, '..', '..', 'public', 'css', 'site.css'), 'utf8');

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
const colourOf = (selector: string) => {
  const rule = new RegExp(`(?:^|[},])\\s*${selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[,{][^}]*?color:(#[0-9a-f]{6})`, 'im').exec(css);
  if (!rule) throw new Error(`no color for ${selector} in site.css`);
  return rule[1];
};

describe('error text contrast', () => {
  it.each(['.field__error', '.error-summary a', '.negative', '.status--blocked'])('%s is at least 4.5:1 on the page, a card and the footer', (selector) => {
    const colour = colourOf(selector);
    for (const background of ['#f4f6f8', '#ffffff', '#e6eaee']) expect(contrast(colour, background)).toBeGreaterThanOrEqual(4.5);
  });

  it('the old red #d4351c on the page background is below 4.5:1, which is why it went', () => {
    expect(contrast('#d4351c', '#f4f6f8')).toBeLessThan(4.5);
    expect(css).not.toContain('#d4351c');
  });
});
