// Journey: the period filter of «История платежей». A period narrows the table and stays in the address (so the
// result can be bookmarked); a reversed period is a form error (422) shown in the summary and beside «По дату».
// Runs once with JavaScript (htmx swaps #history and pushes the address) and once without (a plain GET form).
import type { Browser, Page } from 'playwright-core';
import { describeWithBrowser, MODES, newContext, signIn, useAppAndBrowser, type RunningApp } from './support';

jest.setTimeout(60_000);

let app: RunningApp;
let browser: Browser;

const iso = (d: Date) => d.toISOString().slice(0, 10);
const monthStart = (monthsAgo: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
};
// Whole months well away from today, so the provider's time zone never moves a payment across an edge.
const FROM = iso(monthStart(12));
const TO = iso(new Date(monthStart(5).getTime() - 86_400_000));

/** "Найдено 73 платежа" -> 73 */
async function foundCount(page: Page): Promise<number> {
  const text = (await page.getByText(/^Найден\S* \d+ платеж/).textContent()) ?? '';
  return Number(/(\d+)/.exec(text)?.[1]);
}

/** The days of the rows shown ("05.03.2026, 14:20" -> "2026-03-05"). */
async function rowDays(page: Page): Promise<string[]> {
  const cells = await page.locator('#history table tbody tr td:first-child').allTextContents();
  return cells.map((c) => {
    const m = /(\d{2})\.(\d{2})\.(\d{4})/.exec(c);
    if (!m) throw new Error(`a row without a date: "${c}"`);
    return `${m[3]}-${m[2]}-${m[1]}`;
  });
}

/** Submits the filter and returns the response to it: a page without JavaScript, an htmx fragment with it. */
async function show(page: Page, from: string, to: string) {
  await page.getByLabel('С даты').fill(from);
  await page.getByLabel('По дату').fill(to);
  const [response] = await Promise.all([
    page.waitForResponse((r) => {
      const u = new URL(r.url());
      return u.pathname === '/cabinet/payments' && u.searchParams.get('from') === from && u.searchParams.get('to') === to;
    }),
    page.getByRole('button', { name: 'Показать', exact: true }).click(),
  ]);
  await page.waitForURL((u) => u.searchParams.get('from') === from && u.searchParams.get('to') === to);
  return response;
}

describeWithBrowser('the period filter of the payment history', () => {
  useAppAndBrowser((a, b) => {
    app = a;
    browser = b;
  });

  describe.each(MODES)('$label', (mode) => {
    test('a period narrows the history to its payments and stays in the address; a reversed period is a form error', async () => {
      const context = await newContext(browser, app, mode);
      try {
        const page = await context.newPage();
        await signIn(page);
        await page.goto('/cabinet/payments');
        const all = await foundCount(page);

        // A good period.
        const good = await show(page, FROM, TO);
        expect(good.status()).toBe(200);
        expect(good.request().resourceType()).toBe(mode.javaScriptEnabled ? 'xhr' : 'document');
        await page.locator('#history table').waitFor();
        expect(await page.getByLabel('С даты').inputValue()).toBe(FROM);
        expect(await page.getByLabel('По дату').inputValue()).toBe(TO);
        const inPeriod = await foundCount(page);
        expect(inPeriod).toBeGreaterThan(0);
        expect(inPeriod).toBeLessThan(all);
        const days = await rowDays(page);
        expect(days.length).toBe(Math.min(inPeriod, 20));
        for (const d of days) {
          expect(d >= FROM && d <= TO).toBe(true);
        }
        const older = page.getByRole('link', { name: 'Старше →' });
        if (inPeriod > 20) {
          const next = new URL((await older.getAttribute('href')) ?? '', app.baseURL);
          expect([next.searchParams.get('from'), next.searchParams.get('to'), next.searchParams.get('page')]).toEqual([FROM, TO, '2']);
        }
        expect(await page.locator('header.top').count()).toBe(1);
        expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['История платежей']);

        // A reversed period: 422, the message in the error summary and beside «По дату», what was typed kept.
        const reversed = await show(page, TO, FROM);
        expect(reversed.status()).toBe(422);
        const summary = page.locator('.error-summary');
        const toTheField = summary.getByRole('link', { name: 'Конец периода раньше его начала' });
        await toTheField.waitFor();
        expect(await toTheField.getAttribute('href')).toBe('#to');
        expect(await page.locator('#to-error').textContent()).toContain('Конец периода раньше его начала');
        expect(await page.getByLabel('По дату').getAttribute('aria-invalid')).toBe('true');
        expect(await page.getByLabel('С даты').inputValue()).toBe(TO);
        expect(await page.getByLabel('По дату').inputValue()).toBe(FROM);
        expect(await page.locator('#history table').count()).toBe(0);
        expect(await page.locator('header.top').count()).toBe(1);
        expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['История платежей']);
      } finally {
        await context.close();
      }
    });
  });
});
