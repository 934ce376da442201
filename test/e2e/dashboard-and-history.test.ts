// Journey: the demo subscriber signs in from the home page, refreshes the balance, pages through the payment
// history, goes Back to page 1 (which must come back as the whole page, never a bare fragment) and signs out.
// After signing out, Back and /cabinet both lead to the login form.
// Runs once with JavaScript (htmx swaps the balance and the history table) and once without (links and forms).
import type { Browser, Page, Request } from 'playwright-core';
import { contractHeading, DEMO, describeWithBrowser, MODES, newContext, useAppAndBrowser, where, type RunningApp } from './support';

jest.setTimeout(60_000);

let app: RunningApp;
let browser: Browser;

const pageLabel = (page: Page) => page.locator('.pager span');
const historyRows = (page: Page) => page.locator('#history table tbody tr');

/** "Страница 2 из 6" -> { page: 2, pages: 6 } once the pager says that page. */
async function pagerSays(page: Page, n: number): Promise<{ page: number; pages: number }> {
  await page.getByText(new RegExp(`^Страница ${n} из \\d+$`)).waitFor();
  const m = /^Страница (\d+) из (\d+)$/.exec((await pageLabel(page).textContent())?.trim() ?? '');
  if (!m) throw new Error(`no pager on ${page.url()}`);
  return { page: Number(m[1]), pages: Number(m[2]) };
}

/** The page is a whole page of the portal: one site header, one h1 «История платежей», one history region. */
async function expectWholeHistoryPage(page: Page): Promise<void> {
  expect(await page.locator('header.top').count()).toBe(1);
  expect(await page.getByRole('navigation', { name: 'Главное меню' }).count()).toBe(1);
  expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['История платежей']);
  expect(await page.locator('#history').count()).toBe(1);
  expect(await page.title()).toContain('История платежей');
}

describeWithBrowser('signing in, the balance and the payment history', () => {
  useAppAndBrowser((a, b) => {
    app = a;
    browser = b;
  });

  describe.each(MODES)('$label', (mode) => {
    test('a subscriber signs in from the home page, refreshes the balance, pages the history, goes back and signs out', async () => {
      const context = await newContext(browser, app, mode);
      try {
        const page = await context.newPage();
        const requests: Request[] = [];
        page.on('request', (r) => requests.push(r));

        // The header link «Кабинет» leads to the login form, which remembers where to go next.
        await page.goto('/');
        await Promise.all([
          page.waitForURL((u) => u.pathname === '/login'),
          page.getByRole('navigation', { name: 'Главное меню' }).getByRole('link', { name: 'Кабинет', exact: true }).click(),
        ]);
        expect(where(page)).toBe('/login?next=%2Fcabinet');
        await page.getByLabel('Номер договора').fill(DEMO.contract);
        await page.getByLabel('Пароль', { exact: true }).fill(DEMO.password);
        await Promise.all([page.waitForURL((u) => u.pathname === '/cabinet'), page.getByRole('button', { name: 'Войти', exact: true }).click()]);

        // The dashboard.
        await contractHeading(page).waitFor();
        expect(await page.getByTestId('balance').textContent()).toMatch(/^-?[\d\s\u00a0\u202f]+(,\d{2})?\s₽$/);

        // «Обновить»: an htmx swap of #balance with JavaScript, a plain reload of /cabinet without.
        const balance = page.locator('#balance');
        const refresh = balance.getByRole('link', { name: 'Обновить' });
        if (mode.javaScriptEnabled) {
          await balance.evaluate((el) => el.setAttribute('data-e2e-stale', 'yes'));
          const [response] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/cabinet/balance'), refresh.click()]);
          expect(response.status()).toBe(200);
          expect(response.request().headers()['hx-request']).toBe('true');
          await page.locator('#balance:not([data-e2e-stale])').waitFor();
          expect(where(page)).toBe('/cabinet');
          expect(await page.locator('#balance').count()).toBe(1);
          expect(await page.getByTestId('balance').textContent()).toContain('₽');
          await contractHeading(page).waitFor();
        } else {
          const [response] = await Promise.all([page.waitForNavigation(), refresh.click()]);
          expect(response?.status()).toBe(200);
          expect(where(page)).toBe('/cabinet');
          await contractHeading(page).waitFor();
          expect(await page.getByTestId('balance').textContent()).toContain('₽');
        }

        // «История платежей» from the cabinet's sub-navigation: 20 rows and a pager.
        await Promise.all([
          page.waitForURL((u) => u.pathname === '/cabinet/payments'),
          page.getByRole('navigation', { name: 'Разделы кабинета' }).getByRole('link', { name: 'История платежей' }).click(),
        ]);
        const first = await pagerSays(page, 1);
        expect(first.pages).toBeGreaterThanOrEqual(3);
        expect(await historyRows(page).count()).toBe(20);
        const firstRowOfPage1 = await historyRows(page).first().textContent();
        await expectWholeHistoryPage(page);

        // «Старше →»: page 2 (htmx pushes the address with JavaScript; a plain link without).
        const older = page.getByRole('link', { name: 'Старше →' });
        const [page2] = await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).searchParams.get('page') === '2'),
          older.click(),
        ]);
        expect(page2.status()).toBe(200);
        expect(page2.request().headers()['hx-request']).toBe(mode.javaScriptEnabled ? 'true' : undefined);
        await page.waitForURL((u) => u.searchParams.get('page') === '2');
        expect(await pagerSays(page, 2)).toEqual({ page: 2, pages: first.pages });
        expect(await historyRows(page).count()).toBe(20);
        expect(await historyRows(page).first().textContent()).not.toBe(firstRowOfPage1);
        await expectWholeHistoryPage(page);

        // Back: the whole page 1 again, with the site header and the heading, not the table alone.
        await page.goBack();
        await page.waitForURL((u) => u.pathname === '/cabinet/payments' && !u.searchParams.has('page'));
        expect(await pagerSays(page, 1)).toEqual({ page: 1, pages: first.pages });
        await expectWholeHistoryPage(page);
        expect(await historyRows(page).count()).toBe(20);
        expect(await historyRows(page).first().textContent()).toBe(firstRowOfPage1);

        // «Выйти» ends the session.
        await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.getByRole('button', { name: 'Выйти', exact: true }).click()]);
        await page.getByText('Вы вышли из личного кабинета.').waitFor();
        // Back shows no private page from a cache: the history is asked for again and sends to the login form.
        await page.goBack();
        await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/cabinet/payments');
        expect(await historyRows(page).count()).toBe(0);
        await page.goto('/cabinet');
        expect(where(page)).toBe('/login?next=%2Fcabinet');
        await page.getByRole('heading', { level: 1, name: 'Вход в личный кабинет' }).waitFor();

        // With JavaScript the balance came as a fragment; without it the browser never asked for one.
        const balanceRequests = requests.filter((r) => new URL(r.url()).pathname === '/cabinet/balance');
        if (mode.javaScriptEnabled) expect(balanceRequests.length).toBeGreaterThanOrEqual(1);
        else expect(balanceRequests).toHaveLength(0);
      } finally {
        await context.close();
      }
    });
  });
});
