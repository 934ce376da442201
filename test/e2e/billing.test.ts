// Journeys of the billing pages of the cabinet: «Обещанный платёж» for a blocked subscriber, «Добровольная
// блокировка» set and cancelled, a tariff change from the 1st (cancelled) and from today, and «Выписка» with its
// monthly totals, paging, period filter and CSV. Each runs once with JavaScript and once without.
// The journeys change data, so each mode of a journey signs in as its own contract, picked from the app's fresh
// demo database by its state (read-only); «Выписка» only reads, so it uses the demo contract 100001.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { contractHeading, DEMO, describeWithBrowser, MODES, newContext, signIn, useAppAndBrowser, where, type Mode, type RunningApp } from './support';

jest.setTimeout(60_000);

const TZ = 'Asia/Novokuznetsk'; // the provider's time zone (PROVIDER_TIMEZONE's default)

let app: RunningApp;
let browser: Browser;

/** Contracts for the journeys that change data: one per mode. */
type Picked = { blocked: string[]; forBlock: string[]; forTariff: string[] };
let picked: Picked;

/**
 * From the demo database: blocked contracts whose debt a promised payment can cover (the largest one is the
 * monthly fee; it must also pay today), active ones for a voluntary block, and active flat contracts in
 * Novokuznetsk with money enough for any tariff of theirs (several flat tariffs are offered there).
 */
function pickContracts(file: string): Picked {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const numbers = (sql: string) => (db.prepare(sql).all() as { number: string }[]).map((r) => r.number);
    const blocked = numbers(`select c.number from contracts c join tariffs t on t.id = c.tariff_id
      where c.status = 'blocked' and c.credit_limit_kopecks = 0 and t.monthly_fee_kopecks > 0
        and -c.balance_kopecks * 10 < t.monthly_fee_kopecks * 8 order by c.number limit 2`);
    const forTariff = numbers(`select c.number from contracts c join tariffs t on t.id = c.tariff_id
      where c.status = 'active' and c.number <> '${DEMO.contract}' and c.town_id = 1 and t.segment = 'flat' and t.archived = 0
        and c.balance_kopecks >= 200000 order by c.number limit 2`);
    const forBlock = numbers(`select c.number from contracts c
      where c.status = 'active' and c.number <> '${DEMO.contract}' and c.balance_kopecks >= 0 order by c.number desc limit 4`)
      .filter((n) => !forTariff.includes(n))
      .slice(0, 2);
    const p = { blocked, forBlock, forTariff };
    for (const [what, list] of Object.entries(p)) {
      if (list.length < MODES.length) throw new Error(`the demo database has too few contracts for ${what}: ${list.join(', ')}`);
    }
    return p;
  } finally {
    db.close();
  }
}

const modeIndex = (mode: Mode) => MODES.indexOf(mode);

/** "−1 234,56 ₽" / "+500,00 ₽" -> kopecks. */
function kopecks(text: string | null): number {
  const m = /([+\-−]?)([\d\s\u00a0\u202f]+),(\d{2})/.exec(text ?? '');
  if (!m) throw new Error(`not an amount of money: "${text}"`);
  const value = Number(m[2].replace(/\D/g, '')) * 100 + Number(m[3]);
  return m[1] === '-' || m[1] === '−' ? -value : value;
}

/** Today in the provider's time zone, and days around it, as ISO days (what a date input takes). */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const ruDay = (day: string) => `${day.slice(8, 10)}.${day.slice(5, 7)}.${day.slice(0, 4)}`;

/**
 * Clicks what submits a form or follows a link, waits for the new page to load (these are full page loads in both
 * modes) and checks where it is. Waiting for the load, not the address: a form often posts back to its own address.
 */
async function go(page: Page, path: string | RegExp, click: () => Promise<void>): Promise<void> {
  await Promise.all([page.waitForEvent('load'), click()]);
  const at = new URL(page.url()).pathname;
  if (typeof path === 'string') expect(at).toBe(path);
  else expect(at).toMatch(path);
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
const subnav = (page: Page) => page.getByRole('navigation', { name: 'Разделы кабинета' });
/** The value beside a term of a facts list (<dl class="facts">). */
const fact = (page: Page, term: string) => page.locator('dl.facts > div').filter({ has: page.locator('dt').getByText(term, { exact: true }) }).locator('dd');
/** The tariff's name on the dashboard: the first line of «Тариф» (the speed and the TV package follow). */
const tariffName = async (page: Page) => (await fact(page, 'Тариф').evaluate((dd) => dd.firstChild?.textContent ?? '')).trim();

describeWithBrowser('billing in the cabinet', () => {
  useAppAndBrowser((a, b) => {
    app = a;
    browser = b;
    picked = pickContracts(a.databaseFile);
  });

  async function journey(mode: Mode, fn: (page: Page) => Promise<void>): Promise<void> {
    const context = await newContext(browser, app, mode);
    try {
      await fn(await context.newPage());
    } finally {
      await context.close();
    }
  }

  describe.each(MODES)('$label', (mode) => {
    test('a blocked subscriber takes a promised payment and the contract is active again with more money', () =>
      journey(mode, async (page) => {
        const contract = picked.blocked[modeIndex(mode)];
        await signIn(page, { contract });

        // The dashboard says the contract is blocked and offers a promised payment.
        const balance = page.locator('#balance');
        expect(await balance.locator('.balance__status strong').textContent()).toBe('Заблокирован');
        const unblock = kopecks(await balance.getByText(/^Договор заблокирован\. Доступ откроется сразу, как только на баланс поступит/).textContent());
        const before = kopecks(await page.getByTestId('balance').textContent());
        expect(before).toBeLessThan(0);
        expect(unblock).toBeGreaterThanOrEqual(-before);
        // one step back: «Оплатить N ₽» opens the pay form with that amount filled in
        const payButton = balance.getByTestId('pay-button');
        expect(kopecks(await payButton.textContent())).toBe(unblock);
        await go(page, '/cabinet/pay', () => payButton.click());
        expect(kopecks(await page.getByLabel('Сумма, ₽').inputValue())).toBe(unblock);
        await go(page, '/cabinet', () => subnav(page).getByRole('link', { name: 'Обзор' }).click());

        await go(page, '/cabinet/promised', () => balance.getByRole('link', { name: /^Взять обещанный платёж/ }).click());
        expect(await h1(page).allTextContents()).toEqual(['Обещанный платёж']);
        expect(await page.getByTestId('refusal').count()).toBe(0);
        const amountField = page.getByLabel('Сумма, ₽');
        const suggested = kopecks(await amountField.inputValue()); // "890,00": the largest amount
        expect(suggested).toBeGreaterThan(-before);

        // Check your answers: the amount, then confirm.
        await go(page, '/cabinet/promised', () => page.getByRole('button', { name: 'Продолжить', exact: true }).click());
        expect(await h1(page).allTextContents()).toEqual(['Проверьте, прежде чем взять']);
        expect(kopecks(await page.getByTestId('amount').textContent())).toBe(suggested);
        expect(await fact(page, 'Когда придут деньги').textContent()).toContain('договор разблокируется');
        await go(page, /^\/cabinet\/promised\/\d+$/, () => page.getByRole('button', { name: 'Взять обещанный платёж', exact: true }).click());

        // The confirmation.
        await page.getByRole('status').getByRole('heading', { level: 1, name: 'Обещанный платёж зачислен' }).waitFor();
        expect(await fact(page, 'Состояние').textContent()).toBe('Действует');
        expect(await page.getByTestId('balance').textContent()).toContain('Активен');

        // Back in the cabinet: active, and more money than before.
        await go(page, '/cabinet', () => page.getByRole('link', { name: 'Вернуться в кабинет' }).click());
        await contractHeading(page, contract).waitFor();
        expect(await balance.locator('.balance__status strong').textContent()).toBe('Активен');
        expect(await page.getByText(/^Договор заблокирован/).count()).toBe(0);
        const after = kopecks(await page.getByTestId('balance').textContent());
        expect(after).toBeGreaterThan(before);
        expect(after).toBeGreaterThanOrEqual(0);

        // A second one is not offered while this one is open.
        await go(page, '/cabinet/promised', () => subnav(page).getByRole('link', { name: 'Обещанный платёж' }).click());
        expect(await page.getByTestId('refusal').textContent()).toContain('Обещанный платёж уже взят');
        expect(await page.getByLabel('Сумма, ₽').count()).toBe(0);
      }));

    test('an active subscriber schedules a voluntary block for a week, sees it scheduled and cancels it', () =>
      journey(mode, async (page) => {
        const contract = picked.forBlock[modeIndex(mode)];
        const from = addDays(today(), 10);
        const to = addDays(from, 6);
        await signIn(page, { contract });

        await go(page, '/cabinet/voluntary-block', () => subnav(page).getByRole('link', { name: 'Добровольная блокировка' }).click());
        expect(await h1(page).allTextContents()).toEqual(['Добровольная блокировка']);
        await page.getByLabel('Первый день').fill(from);
        await page.getByLabel('Последний день').fill(to);

        // Check your answers: the dates and the number of days.
        await go(page, '/cabinet/voluntary-block', () => page.getByRole('button', { name: 'Продолжить', exact: true }).click());
        expect(await h1(page).allTextContents()).toEqual(['Проверьте, прежде чем поставить']);
        expect(await page.getByTestId('dates').textContent()).toBe(`с ${ruDay(from)} по ${ruDay(to)} включительно`);
        expect(await page.getByTestId('length').textContent()).toBe('7 дней');
        expect(await fact(page, 'Начало').textContent()).toContain(`${ruDay(from)} в 00:01`);
        await go(page, /^\/cabinet\/voluntary-block\/\d+$/, () => page.getByRole('button', { name: 'Поставить блокировку', exact: true }).click());
        const blockPath = new URL(page.url()).pathname;

        // Scheduled.
        await page.getByRole('status').getByRole('heading', { level: 1, name: 'Блокировка запланирована' }).waitFor();
        expect(await page.getByTestId('status').textContent()).toBe('Запланирована');

        // The list shows it as the current block, and no form for another one.
        await go(page, '/cabinet/voluntary-block', () => page.getByRole('link', { name: 'Все блокировки' }).click());
        const current = page.getByTestId('current-block');
        expect(await current.getByRole('heading', { level: 2 }).textContent()).toBe(`Запланирована блокировка с ${ruDay(from)} по ${ruDay(to)}`);
        expect(await page.getByLabel('Первый день').count()).toBe(0);

        // Cancel it (from its own page): cancelled by the subscriber, and the form is back on the list.
        await go(page, blockPath, () => current.getByRole('link', { name: 'Подробнее' }).click());
        await go(page, blockPath, () => page.getByRole('button', { name: 'Отменить блокировку', exact: true }).click());
        expect(await h1(page).allTextContents()).toEqual(['Блокировка отменена']);
        expect(await page.getByTestId('status').textContent()).toMatch(/^Отменена\s*Отменена вами$/);
        expect(await page.getByRole('button', { name: 'Отменить блокировку' }).count()).toBe(0);
        await go(page, '/cabinet/voluntary-block', () => page.getByRole('link', { name: 'Все блокировки' }).click());
        expect(await page.getByTestId('current-block').count()).toBe(0);
        await page.getByLabel('Первый день').waitFor();
        expect(await page.locator('table tbody tr').first().textContent()).toContain('Отменена');
      }));

    test('a subscriber schedules a tariff change from the 1st, cancels it, then changes the tariff from today', () =>
      journey(mode, async (page) => {
        const contract = picked.forTariff[modeIndex(mode)];
        await signIn(page, { contract });
        const oldTariff = await tariffName(page);
        expect(oldTariff).not.toBe('');

        await go(page, '/cabinet/tariff', () => subnav(page).getByRole('link', { name: 'Тариф' }).click());
        expect(await h1(page).allTextContents()).toEqual(['Смена тарифа']);
        const offers = page.getByRole('group', { name: 'Выберите новый тариф' }).getByRole('radio');
        expect(await offers.count()).toBeGreaterThanOrEqual(2);

        /** Chooses the n-th offer and when; returns the offer's tariff name. */
        const choose = async (n: number, when: 'С 1-го числа следующего месяца' | 'С сегодняшнего дня') => {
          const radio = offers.nth(n);
          const label = (await page.locator(`label[for="${await radio.getAttribute('id')}"]`).textContent()) ?? '';
          await radio.check();
          await page.getByLabel(when, { exact: true }).check();
          await go(page, '/cabinet/tariff', () => page.getByRole('button', { name: 'Продолжить', exact: true }).click());
          expect(await h1(page).allTextContents()).toEqual(['Проверьте, прежде чем сменить тариф']);
          const name = label.split(' — ')[0].trim();
          expect(name).not.toBe('');
          expect(name).not.toBe(oldTariff);
          expect(await fact(page, 'Новый тариф').textContent()).toContain(name);
          return name;
        };

        // From the 1st of next month: check, confirm, the change's page says it is scheduled.
        const later = await choose(0, 'С 1-го числа следующего месяца');
        const [y, m] = today().split('-').map(Number);
        const first = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
        expect(await page.getByTestId('start').textContent()).toBe(`${ruDay(first)}, в 00:01`);
        await go(page, /^\/cabinet\/tariff\/changes\/\d+$/, () => page.getByRole('button', { name: 'Подтвердить смену тарифа', exact: true }).click());
        const changePath = new URL(page.url()).pathname;
        expect(await h1(page).allTextContents()).toEqual(['Смена тарифа запланирована']);
        await page.getByText(`С ${ruDay(first)} ваш тариф — «${later}»`, { exact: false }).waitFor();

        // The tariff page shows it scheduled, and no choice until it is cancelled; cancel it there.
        await go(page, '/cabinet/tariff', () => page.getByRole('link', { name: 'Смена тарифа', exact: true }).click());
        await page.getByRole('heading', { level: 2, name: 'Запланирована смена тарифа' }).waitFor();
        expect(await offers.count()).toBe(0);
        await go(page, changePath, () => page.getByRole('button', { name: 'Отменить смену тарифа', exact: true }).click());
        expect(await h1(page).allTextContents()).toEqual(['Смена тарифа отменена']);
        await page.getByText('Причина: вы отменили её.').waitFor();

        // Nothing changed on the dashboard.
        await go(page, '/cabinet', () => page.getByRole('link', { name: 'Вернуться в кабинет' }).click());
        expect(await tariffName(page)).toBe(oldTariff);

        // From today: check, confirm, applied, and the dashboard shows the new tariff.
        await go(page, '/cabinet/tariff', () => subnav(page).getByRole('link', { name: 'Тариф' }).click());
        expect(await page.getByRole('heading', { level: 2, name: 'Запланирована смена тарифа' }).count()).toBe(0);
        const now = await choose(1, 'С сегодняшнего дня');
        expect(await page.getByTestId('start').textContent()).toBe(`Сегодня, ${ruDay(today())}`);
        await go(page, /^\/cabinet\/tariff\/changes\/\d+$/, () => page.getByRole('button', { name: 'Подтвердить смену тарифа', exact: true }).click());
        expect(new URL(page.url()).pathname).not.toBe(changePath);
        await page.getByRole('status').getByRole('heading', { level: 1, name: 'Тариф сменён' }).waitFor();
        await go(page, '/cabinet', () => page.getByRole('link', { name: 'Вернуться в кабинет' }).click());
        await contractHeading(page, contract).waitFor();
        expect(await tariffName(page)).toBe(now);
      }));

    test('the statement shows monthly totals that add up, pages, narrows to a period and downloads it as CSV', () =>
      journey(mode, async (page) => {
        await signIn(page);
        await go(page, '/cabinet/statement', () => subnav(page).getByRole('link', { name: 'Выписка' }).click());
        expect(await h1(page).allTextContents()).toEqual(['Выписка']);

        // Monthly totals of the last 12 months: each closes at opening + charges + payments + other, the next opens there.
        const months = page.getByTestId('months').locator('li');
        expect(await months.count()).toBe(12);
        await expectTotalsAddUp(page);

        // Paging: «Старше →» (an htmx swap that pushes the address with JavaScript; a plain link without).
        const pager = page.getByRole('navigation', { name: 'Страницы выписки' });
        const firstRow = await page.locator('tr.entry').first().textContent();
        const [older] = await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).pathname === '/cabinet/statement' && new URL(r.url()).searchParams.get('page') === '2'),
          pager.getByRole('link', { name: 'Старше →' }).click(),
        ]);
        expect(older.status()).toBe(200);
        expect(older.request().headers()['hx-request']).toBe(mode.javaScriptEnabled ? 'true' : undefined);
        await page.waitForURL((u) => u.searchParams.get('page') === '2');
        await pager.getByText(/^Страница 2 из \d+$/).waitFor();
        expect(await page.locator('tr.entry').first().textContent()).not.toBe(firstRow);
        await expectWholeStatementPage(page);

        // A period of three whole months well in the past.
        const [y, m] = today().split('-').map(Number);
        const from = new Date(Date.UTC(y, m - 7, 1)).toISOString().slice(0, 10);
        const to = new Date(Date.UTC(y, m - 4, 0)).toISOString().slice(0, 10);
        await page.getByLabel('С даты').fill(from);
        await page.getByLabel('По дату').fill(to);
        const [shown] = await Promise.all([
          page.waitForResponse((r) => {
            const u = new URL(r.url());
            return u.pathname === '/cabinet/statement' && u.searchParams.get('from') === from && u.searchParams.get('to') === to;
          }),
          page.getByRole('button', { name: 'Показать', exact: true }).click(),
        ]);
        expect(shown.status()).toBe(200);
        expect(shown.request().resourceType()).toBe(mode.javaScriptEnabled ? 'xhr' : 'document');
        await page.waitForURL((u) => u.searchParams.get('from') === from && u.searchParams.get('to') === to && !u.searchParams.has('page'));
        await page.getByText(`Выписка с ${ruDay(from)} по ${ruDay(to)}.`, { exact: false }).waitFor();
        expect(await months.count()).toBe(3);
        expect(await months.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-month')))).toEqual(
          [to.slice(0, 7), addDays(`${to.slice(0, 7)}-01`, -1).slice(0, 7), from.slice(0, 7)],
        );
        await expectTotalsAddUp(page);
        await expectWholeStatementPage(page);
        const operations = Number(/(\d+)/.exec((await page.getByText(/^\d+ операц/).textContent()) ?? '')?.[1]);
        expect(operations).toBeGreaterThan(0);

        // The CSV of the same period: a download, UTF-8 with a BOM, a header of semicolons, the period's days only.
        const csvLink = page.getByRole('link', { name: 'Скачать CSV (Excel)' });
        const href = new URL((await csvLink.getAttribute('href')) ?? '', app.baseURL);
        expect([href.pathname, href.searchParams.get('from'), href.searchParams.get('to')]).toEqual(['/cabinet/statement.csv', from, to]);
        const [download] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
        expect(download.suggestedFilename()).toBe(`statement-${DEMO.contract}-${from}-${to}.csv`);
        const bytes = fs.readFileSync(await download.path());
        expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const lines = bytes.toString('utf8').slice(1).split('\r\n');
        expect(lines[0]).toBe('Дата;Операция;Описание;За период;Сумма, руб.;Остаток, руб.');
        expect(lines.at(-1)).toBe('');
        const rows = lines.slice(1, -1);
        expect(rows.length).toBeGreaterThanOrEqual(operations);
        for (const row of rows) {
          const cells = row.split(';');
          expect(cells).toHaveLength(6);
          const day = `${cells[0].slice(6, 10)}-${cells[0].slice(3, 5)}-${cells[0].slice(0, 2)}`;
          expect(day >= from && day <= to).toBe(true);
          expect(cells[4]).toMatch(/^-?\d+,\d{2}$/);
        }
        // The last balance of the file is the balance at the end of the period on the page.
        const periodTotals = (await page.locator('p', { hasText: 'На конец периода' }).textContent()) ?? '';
        const closing = kopecks(periodTotals.slice(periodTotals.indexOf('На конец периода')).replace(/\([^)]*\)/, ''));
        expect(kopecks(rows.at(-1)?.split(';')[5] ?? '')).toBe(closing);
        expect(where(page)).toBe(`/cabinet/statement?from=${from}&to=${to}`);
      }));
  });
});

/** Every month shown: closing = opening + charges + payments + other, and each month opens where the one before closed. */
async function expectTotalsAddUp(page: Page): Promise<void> {
  const months = page.getByTestId('months').locator('li');
  const count = await months.count();
  expect(count).toBeGreaterThan(0);
  let newerOpening: number | null = null; // the list is newest first
  for (let i = 0; i < count; i++) {
    expect(await months.nth(i).locator('tbody th').allTextContents()).toEqual(['На начало', 'Абонентская плата', 'Оплаты', 'Прочее', 'На конец']);
    const [opening, charges, payments, other, closing] = (await months.nth(i).locator('tbody td').allTextContents()).map(kopecks);
    expect(closing).toBe(opening + charges + payments + other);
    if (newerOpening !== null) expect(closing).toBe(newerOpening);
    newerOpening = opening;
  }
}

/** A whole page of the portal, never the statement region alone. */
async function expectWholeStatementPage(page: Page): Promise<void> {
  expect(await page.locator('header.top').count()).toBe(1);
  expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['Выписка']);
  expect(await page.locator('#statement').count()).toBe(1);
}
