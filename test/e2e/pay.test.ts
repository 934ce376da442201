// Paying 500 ₽ through the sandbox gateway, with and without JavaScript: the pay page, the sandbox's test page,
// back to the return page that shows the payment credited, the balance up by 500 ₽, and the receipt in the history.
// Each mode pays as its own active contract (picked read-only from the app's fresh demo database).
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { describeWithBrowser, MODES, newContext, signIn, useAppAndBrowser, where, type RunningApp } from './support';

jest.setTimeout(60_000);

let app: RunningApp;
let browser: Browser;
let contracts: string[];

function kopecks(text: string | null): number {
  const m = /([+\-−]?)([\d\s\u00a0\u202f]+),(\d{2})/.exec(text ?? '');
  if (!m) throw new Error(`not an amount of money: "${text}"`);
  const value = Number(m[2].replace(/\D/g, '')) * 100 + Number(m[3]);
  return m[1] === '-' || m[1] === '−' ? -value : value;
}

describeWithBrowser('«Оплатить»: 500 ₽ through the sandbox', () => {
  useAppAndBrowser((a, b) => {
    app = a;
    browser = b;
    const db = new Database(app.databaseFile, { readonly: true, fileMustExist: true });
    contracts = (db.prepare(`select number from contracts where status = 'active' and number <> '100001' order by number limit 6`).all() as { number: string }[]).map((r) => r.number);
    db.close();
  });

  for (const [i, mode] of MODES.entries()) {
    test(`pays and sees the balance change (${mode.label})`, async () => {
      const context = await newContext(browser, app, mode);
      const page = await context.newPage();
      await signIn(page, { contract: contracts[i] });
      const before = kopecks(await page.getByTestId('balance').first().textContent());

      await page.getByTestId('pay-button').click();
      await page.waitForURL((u) => u.pathname === '/cabinet/pay');
      await page.getByLabel('Сумма, ₽').fill('500');
      await page.getByLabel('E-mail или телефон для чека').fill('payer@example.ru');
      await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/sandbox/pay/')), page.getByRole('button', { name: 'Перейти к оплате' }).click()]);

      await page.getByTestId('sandbox-warning').waitFor();
      expect(kopecks(await page.getByTestId('sandbox-amount').textContent())).toBe(50000);
      await Promise.all([page.waitForURL((u) => /^\/cabinet\/pay\/\d+$/.test(u.pathname)), page.getByRole('button', { name: 'Оплатить', exact: true }).click()]);

      const state = page.getByTestId('pay-state');
      if (mode.javaScriptEnabled) {
        await page.locator('[data-testid="pay-state"][data-status="succeeded"]').waitFor({ timeout: 15_000 });
      } else {
        // the notification is delivered before the sandbox redirects; a refresh would do the same otherwise
        for (let n = 0; n < 10 && (await state.getAttribute('data-status')) !== 'succeeded'; n++) await page.reload();
      }
      expect(await state.getAttribute('data-status')).toBe('succeeded');
      expect(await state.textContent()).toContain('Платёж зачислен на баланс');
      expect(kopecks(await state.getByTestId('balance').textContent())).toBe(before + 50000);

      await page.goto('/cabinet');
      expect(kopecks(await page.getByTestId('balance').first().textContent())).toBe(before + 50000);
      await page.goto('/cabinet/payments');
      const first = page.locator('#history tbody tr').first();
      expect(await first.textContent()).toContain('500,00');
      expect(await first.textContent()).toContain('Банковская карта');
      expect(await first.textContent()).toContain('Зачислен');
      await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/cabinet/receipt/')), first.getByRole('link', { name: 'Чек' }).click()]);
      expect(where(page)).toMatch(/^\/cabinet\/receipt\/\d+$/);
      expect(await page.getByTestId('receipt').textContent()).toContain(`Услуги связи по договору №\u00a0${contracts[i]}`);
      await context.close();
    });
  }

  for (const [i, mode] of MODES.entries()) {
    test(`a payment left waiting is followed until it is final: htmx polls, without JS «Обновить» (${mode.label})`, async () => {
      const context = await newContext(browser, app, mode);
      const page = await context.newPage();
      await signIn(page, { contract: contracts[2 + i] });
      const before = kopecks(await page.getByTestId('balance').first().textContent());
      await page.goto('/cabinet/pay');
      await page.getByLabel('Сумма, ₽').fill('250,50');
      await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/sandbox/pay/')), page.getByRole('button', { name: 'Перейти к оплате' }).click()]);
      const sandboxId = new URL(page.url()).pathname.split('/').pop()!;
      await Promise.all([page.waitForURL((u) => /^\/cabinet\/pay\/\d+$/.test(u.pathname)), page.getByRole('button', { name: 'Оставить в ожидании' }).click()]);
      const state = page.getByTestId('pay-state');
      expect(await state.getAttribute('data-status')).toBe('pending');

      // the tester pays later on the gateway's side, and its notification is lost: only the return page's check is left
      const db = new Database(app.databaseFile);
      db.prepare(`update sandbox_payments set status = 'succeeded' where id = ?`).run(sandboxId);
      db.close();
      if (mode.javaScriptEnabled) {
        await page.locator('[data-testid="pay-state"][data-status="succeeded"]').waitFor({ timeout: 15_000 });
      } else {
        expect(await state.getAttribute('data-status')).toBe('pending'); // nothing moves without JavaScript ...
        await page.getByRole('link', { name: 'Обновить' }).click(); // ... until the subscriber refreshes
      }
      expect(await page.getByTestId('pay-state').getAttribute('data-status')).toBe('succeeded');
      expect(kopecks(await page.getByTestId('pay-state').getByTestId('balance').textContent())).toBe(before + 25050);
      await context.close();
    });
  }

  for (const [i, mode] of MODES.entries()) {
    test(`turns autopayment on with a first payment that saves the card, then off (${mode.label})`, async () => {
      const context = await newContext(browser, app, mode);
      const page = await context.newPage();
      await signIn(page, { contract: contracts[4 + i] });
      await page.goto('/cabinet/pay');
      await page.getByRole('link', { name: 'Автоматический платёж' }).click();
      await page.waitForURL((u) => u.pathname === '/cabinet/autopay');
      expect(await page.getByTestId('terms').textContent()).toContain('Условия автоматического платежа.');
      await page.getByLabel('Каждый месяц в выбранный день оплачивать следующий месяц').check();
      await page.getByLabel('День месяца').fill('20');
      await page.getByLabel('E-mail или телефон для чека').fill('auto@example.ru');
      await page.getByRole('button', { name: 'Оплатить и сохранить карту' }).click();
      expect(await page.locator('.error-summary').textContent()).toContain('примите условия'); // not accepted yet
      await page.getByLabel('Я прочитал(а) условия').check();
      await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/sandbox/pay/')), page.getByRole('button', { name: 'Оплатить и сохранить карту' }).click()]);
      await Promise.all([page.waitForURL((u) => /^\/cabinet\/pay\/\d+$/.test(u.pathname)), page.getByRole('button', { name: 'Оплатить', exact: true }).click()]);
      await page.goto('/cabinet/autopay');
      const state = page.getByTestId('autopay-state');
      expect(await state.textContent()).toContain('Включён');
      expect(await state.getByTestId('card').textContent()).toBe('Visa •••• 4242');
      expect(await state.getByTestId('rule').textContent()).toContain('каждый месяц 20-го числа');
      await Promise.all([page.waitForURL((u) => u.search === '?done=off'), page.getByRole('button', { name: 'Выключить автоплатёж' }).click()]);
      expect(await page.getByTestId('autopay-state').textContent()).toContain('Выключен');
      await context.close();
    });
  }
});
