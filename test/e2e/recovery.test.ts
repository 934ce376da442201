// «Не помните пароль?» in the browser, with and without JavaScript: the demo subscriber finds the contract, picks a
// phone, reads the code from the SMS file outbox (SMS_DRIVER=file) as a tester does, sets a new password and is in.
// Each mode gets its own app (a fresh demo database), so both recover contract 100001 within the one-a-minute code limit.
import type { Browser } from 'playwright-core';
import { contractHeading, DEMO, describeWithBrowser, MODES, newContext, useAppAndBrowser, where, type RunningApp, codeFromSms, useFileOutbox } from './support';

jest.setTimeout(90_000);



describeWithBrowser('recovering the password by SMS', () => {
  describe.each(MODES)('$label', (mode) => {
    let app: RunningApp;
    let browser: Browser;
    const smsFile = useFileOutbox('sms');
    useAppAndBrowser((a, b) => {
      app = a;
      browser = b;
    });

    test('the demo subscriber recovers the password from the SMS code and is signed in', async () => {
      const context = await newContext(browser, app, mode);
      try {
        const page = await context.newPage();
        await page.goto('/login');
        await page.getByRole('link', { name: 'Не помните пароль?' }).click();
        await page.waitForURL((u) => u.pathname === '/recover');
        // with JavaScript, htmx swaps each step into the same page: a mark on window survives until the last step
        if (mode.javaScriptEnabled) await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
        await page.getByLabel('Номер договора').fill(DEMO.contract);
        await page.getByRole('button', { name: 'Найти' }).click();
        await page.getByText('+7 *** ***-65-43').waitFor();
        expect(await page.getByText('+7 *** ***-45-67').count()).toBe(1);
        await page.getByLabel('+7 *** ***-65-43').check();
        await page.getByRole('button', { name: 'Получить код' }).click();
        await page.getByLabel('Код из SMS').waitFor();
        expect((await page.textContent('#recover'))?.replace(/\u00a0/g, ' ')).toContain('+7 *** ***-65-43'); // kept on one line with no-break spaces
        const code = await codeFromSms(smsFile, '+79059876543');

        // a wrong code first: the page says so and keeps the attempt
        await page.getByLabel('Код из SMS').fill(code === '000000' ? '111111' : '000000');
        await page.getByRole('button', { name: 'Проверить' }).click();
        await page.getByText('Осталось попыток: 4').waitFor();

        if (mode.javaScriptEnabled) expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
        await page.getByLabel('Код из SMS').fill(code);
        await page.getByRole('button', { name: 'Проверить' }).click();
        await page.getByLabel('Новый пароль', { exact: true }).fill('password');
        await page.getByLabel('Новый пароль ещё раз').fill('password');
        await page.getByRole('button', { name: 'Сохранить и войти' }).click();
        await page.getByText('Этот пароль слишком распространён', { exact: false }).first().waitFor();

        await page.getByLabel('Новый пароль', { exact: true }).fill('весна на Кирова 2027');
        await page.getByLabel('Новый пароль ещё раз').fill('весна на Кирова 2027');
        await Promise.all([page.waitForURL((u) => u.pathname === '/cabinet'), page.getByRole('button', { name: 'Сохранить и войти' }).click()]);
        await contractHeading(page).waitFor();
        expect(where(page)).toBe('/cabinet?recovered=1');
        // the dashboard says so, and shows the 'account' notice among the unread ones
        await page.getByRole('status').filter({ hasText: 'Пароль изменён. Вы вошли в кабинет.' }).waitFor();
        await page.getByTestId('dashboard-notices').getByText('Пароль изменён', { exact: true }).first().waitFor();
      } finally {
        await context.close();
      }

      // the new password works at the sign-in form, the old one does not
      const again = await newContext(browser, app, mode);
      try {
        const page = await again.newPage();
        await page.goto('/login');
        await page.getByLabel('Номер договора').fill(DEMO.contract);
        await page.getByLabel('Пароль', { exact: true }).fill(DEMO.password);
        await page.getByRole('button', { name: 'Войти', exact: true }).click();
        await page.getByText('Неверный номер договора или пароль').waitFor();
        await page.getByLabel('Пароль', { exact: true }).fill('весна на Кирова 2027');
        await Promise.all([page.waitForURL((u) => u.pathname === '/cabinet'), page.getByRole('button', { name: 'Войти', exact: true }).click()]);
        await contractHeading(page).waitFor();
      } finally {
        await again.close();
      }
    });
  });
});
