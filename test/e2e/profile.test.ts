// «Профиль» in the browser, with and without JavaScript: the demo subscriber enters the password again, adds a phone
// and confirms it with the code read from the SMS file outbox (SMS_DRIVER=file), sees the notice about it on the
// dashboard, changes the subscriptions and finds them kept after a reload, and ends a session signed in from a second
// browser context, which is then signed out. With JavaScript every step is swapped in by htmx: a mark on window
// survives each step of a page. Each mode gets its own app (a fresh demo database).
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { contractHeading, describeWithBrowser, MODES, newContext, signIn, useAppAndBrowser, where, type Mode, type RunningApp, codeFromSms, useFileOutbox } from './support';

jest.setTimeout(90_000);



/** With JavaScript, marks the document: the mark is still there only if htmx swapped instead of loading a page. */
const markDocument = (page: Page, mode: Mode) => (mode.javaScriptEnabled ? page.evaluate(() => Object.assign(globalThis, { sameDocument: true })) : Promise.resolve());
const sameDocument = (page: Page) => page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument === true);

describeWithBrowser('the profile', () => {
  describe.each(MODES)('$label', (mode) => {
    let app: RunningApp;
    let browser: Browser;
    const smsFile = useFileOutbox('profile');
    useAppAndBrowser((a, b) => {
      app = a;
      browser = b;
    });

    test('enters the password again, adds a phone confirmed by the SMS code, and the dashboard tells of it', async () => {
      const context = await newContext(browser, app, mode);
      try {
        const page = await context.newPage();
        await signIn(page);
        await page.getByRole('link', { name: 'Профиль' }).first().click();
        await page.getByRole('link', { name: 'Контактные данные' }).click();
        await page.waitForURL((u) => u.pathname === '/cabinet/profile/contacts');
        await markDocument(page, mode);

        await page.getByLabel('Пароль', { exact: true }).fill('not the password');
        await page.getByRole('button', { name: 'Продолжить' }).click();
        await page.getByText('Неверный пароль').first().waitFor();
        await page.getByLabel('Пароль', { exact: true }).fill('centra2026');
        await page.getByRole('button', { name: 'Продолжить' }).click();
        await page.getByRole('heading', { name: 'Телефоны' }).waitFor();
        // the password again gives a new session id and CSRF token, so with JavaScript the page loads once more
        // (HX-Redirect); from here on every step swaps #contacts in the same document
        await markDocument(page, mode);

        await page.getByLabel('Новый телефон').fill('8 905 000-11-22');
        await page.getByRole('button', { name: 'Добавить телефон' }).click();
        await page.getByText('Код отправлен по SMS.').waitFor();
        const code = await codeFromSms(smsFile, '+79050001122');
        await page.getByLabel('Код из SMS', { exact: false }).fill(code);
        await page.getByRole('button', { name: 'Подтвердить' }).click();
        await page.getByText('Телефон добавлен.').waitFor();
        expect(await page.getByTestId('phones').textContent()).toContain('+7 (905) 000-11-22');
        if (mode.javaScriptEnabled) expect(await sameDocument(page)).toBe(true);
        else expect(where(page)).toBe('/cabinet/profile/contacts?ok=phoneAdded');

        // the old contacts were told, and the dashboard shows that unread notice with the way to all of them
        await page.goto('/cabinet');
        await contractHeading(page).waitFor();
        const notices = page.getByTestId('dashboard-notices');
        await notices.getByText('Контакты изменены').first().waitFor();
        await notices.getByRole('link', { name: 'Все уведомления' }).click();
        await page.waitForURL((u) => u.pathname === '/cabinet/profile/notices');
        await page.getByRole('heading', { level: 1, name: 'Уведомления' }).waitFor();
        expect(await page.getByText('К договору добавлен телефон +7 (905) 000-11-22', { exact: false }).count()).toBeGreaterThan(0);
      } finally {
        await context.close();
      }
    });

    test('changes the subscriptions, sees «сохранены», and finds them kept after a reload', async () => {
      const context = await newContext(browser, app, mode);
      try {
        const page = await context.newPage();
        await signIn(page);
        await page.goto('/cabinet/profile/subscriptions');
        await markDocument(page, mode);
        const news = page.getByTestId('topic-news').getByLabel('SMS');
        const prices = page.getByTestId('topic-prices').getByLabel('Почта');
        expect(await news.isChecked()).toBe(false);
        expect(await prices.isChecked()).toBe(true);
        await news.check();
        await prices.uncheck();
        await page.getByRole('button', { name: 'Сохранить' }).click();
        await page.getByRole('status').filter({ hasText: 'Настройки сохранены.' }).waitFor();
        if (mode.javaScriptEnabled) expect(await sameDocument(page)).toBe(true);
        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Подписка на уведомления' }).waitFor();
        expect(await page.getByTestId('topic-news').getByLabel('SMS').isChecked()).toBe(true);
        expect(await page.getByTestId('topic-prices').getByLabel('Почта').isChecked()).toBe(false);
      } finally {
        await context.close();
      }
    });

    test('ends the session of a second browser, which is then signed out', async () => {
      const mine = await newContext(browser, app, mode);
      // the second browser says it is Firefox on Windows, so its card is told apart from the sessions of the tests before
      const theirs = await browser.newContext({
        baseURL: app.baseURL, javaScriptEnabled: mode.javaScriptEnabled, locale: 'ru-RU', timezoneId: 'Asia/Novokuznetsk',
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
      });
      try {
        const other = await theirs.newPage();
        await signIn(other);
        const page = await mine.newPage();
        await signIn(page);
        await page.goto('/cabinet/profile/sessions');
        await markDocument(page, mode);
        const theirCard = page.getByTestId('session').filter({ hasText: 'Firefox 133, Windows' });
        expect(await theirCard.count()).toBe(1);
        expect(await page.getByTestId('session').filter({ hasText: 'Это устройство' }).count()).toBe(1);
        await theirCard.getByRole('button', { name: 'Завершить', exact: true }).click();
        await page.getByText('Сеанс завершён.').waitFor();
        expect(await page.getByTestId('session').filter({ hasText: 'Firefox 133, Windows' }).count()).toBe(0);
        expect(await page.getByTestId('session').filter({ hasText: 'Это устройство' }).count()).toBe(1);
        if (mode.javaScriptEnabled) expect(await sameDocument(page)).toBe(true);

        // the second browser is signed out; this one is still in
        await other.goto('/cabinet');
        await other.waitForURL((u) => u.pathname === '/login');
        await page.goto('/cabinet');
        await contractHeading(page).waitFor();
      } finally {
        await mine.close();
        await theirs.close();
      }
    });

    // Last: it changes the demo password, which the tests above sign in with.
    test('marks the notices read with a button, then changes the password: a wrong current one is refused, the other browser is signed out', async () => {
      const mine = await newContext(browser, app, mode);
      const theirs = await newContext(browser, app, mode);
      try {
        const other = await theirs.newPage();
        await signIn(other);
        const page = await mine.newPage();
        await signIn(page);
        const db = new Database(app.databaseFile);
        try {
          db.prepare(`insert into notifications (contract_id, topic, title, body, created_at)
            select id, 'maintenance', 'Работы на сети', 'Ночью возможны перерывы.', ? from contracts where number = ?`).run(new Date().toISOString(), '100001');
        } finally {
          db.close();
        }
        await page.goto('/cabinet/profile/notices');
        expect(await page.locator('[data-unread="1"]').count()).toBeGreaterThan(0);
        await page.reload();
        await markDocument(page, mode);
        expect(await page.locator('[data-unread="1"]').count()).toBeGreaterThan(0); // opening the page read nothing
        await page.getByRole('button', { name: 'Отметить все прочитанными' }).click();
        await page.getByText('Уведомления отмечены прочитанными.').waitFor();
        expect(await page.locator('[data-unread="1"]').count()).toBe(0);
        if (mode.javaScriptEnabled) expect(await sameDocument(page)).toBe(true);
        else expect(where(page)).toBe('/cabinet/profile/notices?ok=read');

        await page.goto('/cabinet/profile');
        await page.getByRole('link', { name: 'Сменить пароль' }).click();
        await page.waitForURL((u) => u.pathname === '/cabinet/profile/password');
        await markDocument(page, mode);
        const fill = async (current: string) => {
          await page.getByLabel('Нынешний пароль').fill(current);
          await page.getByLabel('Новый пароль', { exact: true }).fill('зелёный трамвай едет');
          await page.getByLabel('Новый пароль ещё раз').fill('зелёный трамвай едет');
          await page.getByRole('button', { name: 'Сменить пароль' }).click();
        };
        await fill('not the password');
        await page.locator('#current-error').getByText('Нынешний пароль введён неверно').waitFor();
        if (mode.javaScriptEnabled) expect(await sameDocument(page)).toBe(true);
        await fill('centra2026');
        await page.waitForURL((u) => u.pathname === '/cabinet/profile' && u.search === '?ok=passwordChanged');
        await page.getByText('Пароль изменён.').first().waitFor();

        await other.goto('/cabinet');
        await other.waitForURL((u) => u.pathname === '/login');
        await page.goto('/cabinet');
        await contractHeading(page).waitFor();
      } finally {
        await mine.close();
        await theirs.close();
      }
    });
  });
});
