// A 320 px phone with the browser's text size at 150 % and 200 % (WCAG 2.2 1.4.4, 1.4.10): no page of the cabinet
// scrolls sideways, the balance is on the first 568 px, the cabinet's sections are one «Меню» away (without
// JavaScript too); tap targets are 44 px high; after an htmx swap focus moves to the new content's heading, and a form
// with errors puts focus on its error summary; no page breaks the CSP (no inline style).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithBrowser, newContext, signIn, useAppAndBrowser, type Mode, type RunningApp } from './support';

jest.setTimeout(120_000);

const NO_JS: Mode = { label: 'without JavaScript', javaScriptEnabled: false };
const JS: Mode = { label: 'with JavaScript', javaScriptEnabled: true };
const PHONE = { width: 320, height: 568 };

const CABINET_PAGES = [
  '/cabinet', '/cabinet/pay', '/cabinet/payments', '/cabinet/autopay', '/cabinet/statement', '/cabinet/tariff', '/cabinet/promised',
  '/cabinet/voluntary-block', '/cabinet/profile', '/cabinet/profile/contacts', '/cabinet/profile/subscriptions', '/cabinet/profile/sessions',
  '/cabinet/profile/notices', '/cabinet/profile/password',
];

let app: RunningApp;
let browser: Browser;

/** A phone whose browser text size is `percent` of the usual 16 px (Chrome's own setting: works without JavaScript). */
async function phone(mode: Mode, percent: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, app, mode);
  const page = await context.newPage();
  await page.setViewportSize(PHONE);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: Math.round((16 * percent) / 100), fixed: Math.round((13 * percent) / 100) } });
  return { context, page };
}

// In-page code as strings: the project's TypeScript has no DOM types (it is a Node program).
const sideways = (page: Page) => page.evaluate('({ scrollWidth: document.scrollingElement.scrollWidth, clientWidth: document.scrollingElement.clientWidth })') as Promise<{ scrollWidth: number; clientWidth: number }>;
const rootFontSize = (page: Page) => page.evaluate('getComputedStyle(document.documentElement).fontSize') as Promise<string>;
// waitForFunction needs a function (a string would be eval'd, which the CSP refuses): the page's document, loosely typed.
type ActiveElement = { id: string; classList: { contains: (c: string) => boolean } } | null;
const focusedId = (page: Page, id: string) => page.waitForFunction((want) => (globalThis as unknown as { document: { activeElement: ActiveElement } }).document.activeElement?.id === want, id);
const focusedClass = (page: Page, cls: string) => page.waitForFunction((want) => (globalThis as unknown as { document: { activeElement: ActiveElement } }).document.activeElement?.classList.contains(want) === true, cls);

describeWithBrowser('small screens and enlarged text', () => {
  useAppAndBrowser((a, b) => {
    app = a;
    browser = b;
  });

  for (const percent of [150, 200]) {
    test(`at 320 px with ${percent} % text no page of the cabinet scrolls sideways (without JavaScript)`, async () => {
      const { context, page } = await phone(NO_JS, percent);
      try {
        await signIn(page);
        expect(await rootFontSize(page)).toBe(`${(16 * percent) / 100}px`);
        const wide: string[] = [];
        for (const url of CABINET_PAGES) {
          const res = await page.goto(url);
          expect(res?.status()).toBe(200);
          const { scrollWidth, clientWidth } = await sideways(page);
          if (scrollWidth > clientWidth) wide.push(`${url}: ${scrollWidth} > ${clientWidth}`);
        }
        expect(wide).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  for (const mode of [NO_JS, JS]) {
    test(`at 320×568 with 200 % text the balance is on the first screen and «Меню» holds every section (${mode.label})`, async () => {
      const { context, page } = await phone(mode, 200);
      try {
        await signIn(page);
        const balance = page.getByTestId('balance').first();
        const box = await balance.boundingBox();
        expect(box).not.toBeNull();
        expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
        // the wide screen's rows of links are not shown; one «Меню» opens them, without JavaScript too
        expect(await page.locator('.subnav').isVisible()).toBe(false);
        await page.getByText('Меню', { exact: true }).click();
        const menu = page.locator('.menu__panel');
        for (const name of ['Обзор', 'Оплатить', 'История платежей', 'Автоплатёж', 'Выписка', 'Тариф', 'Обещанный платёж', 'Добровольная блокировка', 'Профиль']) {
          expect(await menu.getByRole('link', { name, exact: true }).isVisible()).toBe(true);
        }
        expect(await menu.getByRole('button', { name: 'Выйти' }).isVisible()).toBe(true);
        expect((await sideways(page)).scrollWidth).toBeLessThanOrEqual(PHONE.width);
        await Promise.all([page.waitForURL((u) => u.pathname === '/cabinet/autopay'), menu.getByRole('link', { name: 'Автоплатёж' }).click()]);
        await page.getByRole('heading', { level: 1 }).waitFor();
      } finally {
        await context.close();
      }
    });
  }

  test('on a wide screen «Автоплатёж» is among the cabinet\'s sections', async () => {
    const context = await newContext(browser, app, NO_JS);
    try {
      const page = await context.newPage();
      await signIn(page);
      const sections = page.getByRole('navigation', { name: 'Разделы кабинета' });
      await Promise.all([page.waitForURL((u) => u.pathname === '/cabinet/autopay'), sections.getByRole('link', { name: 'Автоплатёж' }).click()]);
      expect(await sections.getByRole('link', { name: 'Автоплатёж' }).getAttribute('aria-current')).toBe('page');
    } finally {
      await context.close();
    }
  });
});

describeWithBrowser('tap targets, focus and the CSP', () => {
  useAppAndBrowser((a, b) => {
    app = a;
    browser = b;
  });

  const heights = (page: Page, selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => `${(e.textContent ?? '').trim().slice(0, 30)}: ${Math.round(e.getBoundingClientRect().height)}`));
  const tooSmall = async (page: Page, selector: string) => {
    const all = await heights(page, selector);
    expect(all.length).toBeGreaterThan(0);
    return all.filter((h) => Number(h.split(': ').at(-1)) < 44);
  };

  test('checkbox and radio rows, «Чек», footer links and stand-alone links are at least 44 px high on a 320 px phone', async () => {
    const { context, page } = await phone(NO_JS, 100);
    try {
      await page.goto('/login');
      expect(await tooSmall(page, '.field--check label, main p > a:only-child, .foot a')).toEqual([]);
      expect(await page.getByRole('link', { name: 'Не помните пароль?' }).evaluate((e) => e.getBoundingClientRect().height)).toBeGreaterThanOrEqual(44);

      await signIn(page, { contract: '100003' });
      // a card payment through the sandbox, so that the history has a «Чек»
      await page.goto('/cabinet/pay');
      await page.getByLabel('Сумма, ₽').fill('100');
      await page.getByLabel('E-mail или телефон для чека').fill('payer@example.ru');
      await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/sandbox/pay/')), page.getByRole('button', { name: 'Перейти к оплате' }).click()]);
      await Promise.all([page.waitForURL((u) => /^\/cabinet\/pay\/\d+$/.test(u.pathname)), page.getByRole('button', { name: 'Оплатить', exact: true }).click()]);
      await page.goto('/cabinet/payments');
      const receipt = page.getByRole('link', { name: 'Чек' }).first();
      await receipt.waitFor();
      expect(await receipt.evaluate((e) => e.getBoundingClientRect().height)).toBeGreaterThanOrEqual(44);
      expect(await tooSmall(page, '.table a, .form > a, .pager a')).toEqual([]);

      await page.goto('/cabinet/tariff');
      expect(await tooSmall(page, '.field--check label')).toEqual([]);
      await page.goto('/cabinet/profile/subscriptions');
      expect(await tooSmall(page, '.field--check label')).toEqual([]);
      await page.goto('/cabinet/autopay');
      expect(await tooSmall(page, '.field label:has(> input[type=radio]), .field label:has(> input[type=checkbox])')).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('after htmx pages the history, focus and the screen move to the new results\' heading', async () => {
    const context = await newContext(browser, app, JS);
    try {
      const page = await context.newPage();
      await page.setViewportSize(PHONE);
      await signIn(page);
      await page.goto('/cabinet/payments');
      await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
      await page.getByRole('link', { name: 'Старше →' }).first().click();
      await page.waitForURL((u) => u.searchParams.get('page') === '2');
      await focusedId(page, 'history-results');
      expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      const top = (await page.evaluate('document.activeElement.getBoundingClientRect().top')) as number;
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top).toBeLessThan(PHONE.height);
    } finally {
      await context.close();
    }
  });

  test('in «Контактные данные» focus goes to the error summary after a wrong password and to «Телефоны» after the right one', async () => {
    const context = await newContext(browser, app, JS);
    try {
      const page = await context.newPage();
      await signIn(page);
      await page.goto('/cabinet/profile/contacts');
      await page.getByLabel('Пароль', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Продолжить' }).click();
      await focusedClass(page, 'error-summary');
      await page.getByLabel('Пароль', { exact: true }).fill('centra2026');
      await page.getByRole('button', { name: 'Продолжить' }).click();
      await focusedId(page, 'phones-h');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Телефоны');
    } finally {
      await context.close();
    }
  });

  test('without JavaScript a form that comes back with errors has focus on its error summary', async () => {
    const context = await newContext(browser, app, NO_JS);
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await page.getByRole('button', { name: 'Войти', exact: true }).click();
      await page.locator('.error-summary').first().waitFor();
      await focusedClass(page, 'error-summary');
      await page.goto('/feedback');
      await page.getByRole('button', { name: 'Отправить' }).click();
      await page.locator('.error-summary').first().waitFor();
      await focusedClass(page, 'error-summary');
    } finally {
      await context.close();
    }
  });

  test('no page breaks the CSP: no inline style or script is refused', async () => {
    const context = await newContext(browser, app, JS);
    try {
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(`${page.url()}: ${m.text()}`);
      });
      await signIn(page);
      for (const url of ['/', '/tariffs', '/connect', '/privacy', ...CABINET_PAGES]) await page.goto(url);
      await page.goto('/cabinet/payments');
      await page.getByRole('link', { name: 'Старше →' }).first().click();
      await focusedId(page, 'history-results');
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
