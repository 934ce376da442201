// The browser journey on PostgreSQL: the same built app on a throwaway cluster (DATABASE_URL), signed in as the demo
// subscriber, pays 500 ₽ through the sandbox with JavaScript, sees the balance up and the payment in the history.
// The rest of the browser suite runs on SQLite; the unit and HTTP suites run on both (npm test).
import type { Browser } from 'playwright-core';
import { createDatabase, pgRows } from '../support/engine';
import { describeWithBrowser, launchBrowser, MODES, newContext, signIn, startApp, type RunningApp } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCluster } = require('../support/postgres');

jest.setTimeout(90_000);

const kopecks = (text: string | null) => {
  const m = /([+\-−]?)([\d\s\u00a0\u202f]+),(\d{2})/.exec(text ?? '');
  if (!m) throw new Error(`not an amount of money: "${text}"`);
  return (m[1] ? -1 : 1) * (Number(m[2].replace(/\D/g, '')) * 100 + Number(m[3]));
};

describeWithBrowser('sign-in → pay → history on PostgreSQL', () => {
  let cluster: { url: string; stop: () => void } | undefined;
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  let url = '';
  beforeAll(async () => {
    cluster = await startCluster();
    url = await createDatabase(cluster!.url, 'kabinet_journey');
    app = await startApp(90_000, { databaseUrl: url });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    cluster?.stop();
  });

  test('pays 500 ₽ and finds it in the history, the ledger on PostgreSQL agreeing', async () => {
    const mode = MODES.find((m) => m.javaScriptEnabled)!;
    const context = await newContext(browser!, app!, mode);
    const page = await context.newPage();
    await signIn(page);
    const before = kopecks(await page.getByTestId('balance').first().textContent());
    await page.getByTestId('pay-button').click();
    await page.waitForURL((u) => u.pathname === '/cabinet/pay');
    await page.getByLabel('Сумма, ₽').fill('500');
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/sandbox/pay/')), page.getByRole('button', { name: 'Перейти к оплате' }).click()]);
    await Promise.all([page.waitForURL((u) => /^\/cabinet\/pay\/\d+$/.test(u.pathname)), page.getByRole('button', { name: 'Оплатить', exact: true }).click()]);
    await page.locator('[data-testid="pay-state"][data-status="succeeded"]').waitFor({ timeout: 15_000 });
    await page.goto('/cabinet');
    expect(kopecks(await page.getByTestId('balance').first().textContent())).toBe(before + 50000);
    await page.goto('/cabinet/payments');
    const first = page.locator('#history tbody tr').first();
    expect(await first.textContent()).toContain('500,00');
    expect(await first.textContent()).toContain('Зачислен');
    await context.close();

    const [row] = await pgRows<{ balance_kopecks: string; ledger: string }>(url, `select c.balance_kopecks, (select sum(amount_kopecks) from ledger_entries l where l.contract_id = c.id) as ledger from contracts c where number = '100001'`);
    expect(Number(row.balance_kopecks)).toBe(before + 50000);
    expect(Number(row.ledger)).toBe(before + 50000);
  });
});
