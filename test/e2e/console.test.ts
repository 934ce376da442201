// The operators' console in the browser, once with JavaScript and once without: a cashier signs in, makes a new
// contract, prints its credentials (shown once), takes a cash payment, sees it in the shift report; then the new
// subscriber signs in with the printed password and sees the balance the cashier put there.
import type { Browser, Page } from 'playwright-core';
import { describeWithBrowser, MODES, newContext, useAppAndBrowser, where, type Mode, type RunningApp } from './support';

jest.setTimeout(90_000);

let app: RunningApp;
let browser: Browser;
useAppAndBrowser((a, b) => {
  app = a;
  browser = b;
});

async function staffSignIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto('/admin/login');
  await page.getByLabel('Логин').fill(login);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByRole('heading', { level: 1, name: 'Рабочий стол' }).waitFor();
}

describeWithBrowser('a cashier\'s day in the console', () => {
  describe.each(MODES)('$label', (mode: Mode) => {
    test('new contract, printed credentials, a cash payment, the shift report, and the subscriber sees the money', async () => {
      const context = await newContext(browser, app, mode);
      const page = await context.newPage();
      const name = mode.javaScriptEnabled ? 'Сидоров Пётр Ильич' : 'Кузнецова Ольга Павловна';
      try {
        await staffSignIn(page, 'kassa', 'kassa-demo-2026');

        // «Новый договор» from the contracts' page
        await page.getByRole('navigation', { name: 'Разделы пульта' }).getByRole('link', { name: 'Договоры' }).click();
        await page.getByRole('link', { name: 'Новый договор' }).click();
        await page.getByLabel('ФИО абонента').fill(name);
        await page.getByLabel('Город').selectOption({ label: 'Новокузнецк' });
        await page.getByLabel('Адрес подключения').fill('ул. Кирова, д. 12, кв. 5');
        await page.getByLabel('Телефоны').fill('8 (913) 555-12-34');
        const tariff = page.getByLabel('Тариф');
        const firstTariff = await tariff.locator('optgroup[label="Новокузнецк"] option').first().getAttribute('value');
        await tariff.selectOption(firstTariff!);
        await page.getByRole('button', { name: 'Создать договор' }).click();

        // «Данные для входа в личный кабинет»: shown once
        await page.getByRole('heading', { level: 1, name: 'Данные для входа в личный кабинет' }).waitFor();
        const login = (await page.getByTestId('login').textContent())!.trim();
        const password = (await page.getByTestId('password').textContent())!.trim();
        expect(login).toMatch(/^\d{6}$/);
        expect(password.length).toBeGreaterThanOrEqual(8);
        const credentialsUrl = page.url();
        await page.goto(credentialsUrl);
        await page.getByTestId('shown').waitFor();
        expect(await page.getByTestId('password').count()).toBe(0);

        // the keyboard path: «Договоры» → the search field has the focus → the number, Enter → the contract →
        // «Принять платёж» → the amount has the focus
        await page.getByRole('navigation', { name: 'Разделы пульта' }).getByRole('link', { name: 'Договоры' }).click();
        await page.locator('#q:focus').waitFor(); // autofocus, once the new page is there: then the keys go to the field
        await page.keyboard.type(login);
        await page.keyboard.press('Enter');
        await page.getByRole('link', { name: login, exact: true }).click();
        await page.getByRole('heading', { level: 1 }).filter({ hasText: login }).waitFor();
        expect(await page.locator('main').textContent()).toContain(name);
        await page.getByRole('link', { name: 'Принять платёж' }).click();
        await page.getByLabel('Сумма, ₽').waitFor();
        if (mode.javaScriptEnabled) expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('amount');
        await page.getByLabel('Сумма, ₽').fill('500');
        await page.getByLabel('Номер чека').fill(`K-${login}`);
        await page.getByRole('button', { name: 'Принять платёж' }).click();
        await page.getByRole('heading', { level: 1, name: 'Платёж принят' }).waitFor();

        // «Отчёт за смену» lists it
        await page.goto('/admin/cash-desk/shift');
        const report = await page.locator('main').textContent();
        expect(report).toContain(login);
        expect(report).toContain(`K-${login}`);
        expect(report).toContain('500,00');

        // the new subscriber signs in with the printed password
        const subscriber = await (await newContext(browser, app, mode)).newPage();
        await subscriber.goto('/login');
        await subscriber.getByLabel('Номер договора').fill(login);
        await subscriber.getByLabel('Пароль').fill(password);
        await subscriber.getByRole('button', { name: 'Войти' }).click();
        await subscriber.getByTestId('balance').waitFor();
        expect(await subscriber.getByTestId('balance').textContent()).toContain('500,00');
        await subscriber.context().close();
      } catch (err) {
        throw new Error(`${String(err)}\nat ${where(page)}\nserver: ${app.output().slice(-2000)}`);
      } finally {
        await context.close();
      }
    });
  });
});
