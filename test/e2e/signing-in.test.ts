// Journeys of the login form: «Запомнить» keeps a subscriber signed in across a browser restart (a persistent
// cookie) while a plain sign-in ends with the browser (a session cookie); a wrong password says so and signs no one in.
// A "restart" is a new browser context given only the cookies that have an expiry, as a real browser keeps.
// Bad credentials use contract 100002, so the failed-login limit of the demo contract 100001 is never touched.
import type { Browser, BrowserContext, Cookie } from 'playwright-core';
import { contractHeading, DEMO, describeWithBrowser, MODES, newContext, signIn, useAppAndBrowser, where, type Mode, type RunningApp } from './support';

jest.setTimeout(60_000);

const SESSION_COOKIE = 'kabinet.sid';
const DAY_S = 86_400;

let app: RunningApp;
let browser: Browser;

/** Signs in, checks the dashboard, and returns every cookie the browser holds then. */
async function signInAndTakeCookies(mode: Mode, remember: boolean): Promise<Cookie[]> {
  const context = await newContext(browser, app, mode);
  try {
    const page = await context.newPage();
    await signIn(page, { remember });
    return await context.cookies();
  } finally {
    await context.close();
  }
}

/** The browser after a restart: only the cookies with an expiry survive. */
async function restartedWith(mode: Mode, cookies: Cookie[]): Promise<BrowserContext> {
  const context = await newContext(browser, app, mode);
  await context.addCookies(cookies.filter((c) => c.expires > 0));
  return context;
}

describeWithBrowser('signing in', () => {
  useAppAndBrowser((a, b) => {
    app = a;
    browser = b;
  });

  describe.each(MODES)('$label', (mode) => {
    test('a subscriber who ticks «Запомнить» is still signed in after the browser restarts', async () => {
      const cookies = await signInAndTakeCookies(mode, true);
      const sid = cookies.find((c) => c.name === SESSION_COOKIE);
      expect(sid).toBeDefined();
      const days = ((sid?.expires ?? 0) - Date.now() / 1000) / DAY_S;
      expect(days).toBeGreaterThan(29);
      expect(days).toBeLessThanOrEqual(30.01);
      expect(sid?.httpOnly).toBe(true);
      expect(sid?.sameSite).toBe('Lax');

      const context = await restartedWith(mode, cookies);
      try {
        const page = await context.newPage();
        await page.goto('/cabinet');
        expect(where(page)).toBe('/cabinet');
        await contractHeading(page).waitFor();
        expect(await page.getByTestId('balance').textContent()).toContain('₽');
      } finally {
        await context.close();
      }
    });

    test('a subscriber who does not tick «Запомнить» is signed out when the browser restarts', async () => {
      const cookies = await signInAndTakeCookies(mode, false);
      const sid = cookies.find((c) => c.name === SESSION_COOKIE);
      expect(sid).toBeDefined();
      expect(sid?.expires).toBe(-1); // a browser-session cookie
      expect(sid?.httpOnly).toBe(true);

      const context = await restartedWith(mode, cookies);
      try {
        const page = await context.newPage();
        await page.goto('/cabinet');
        expect(where(page)).toBe('/login?next=%2Fcabinet');
        await page.getByRole('heading', { level: 1, name: 'Вход в личный кабинет' }).waitFor();
      } finally {
        await context.close();
      }
    });

    test('a wrong password shows «Неверный номер договора или пароль» and signs no one in', async () => {
      const context = await newContext(browser, app, mode);
      try {
        const page = await context.newPage();
        await page.goto('/login');
        await page.getByLabel('Номер договора').fill(DEMO.otherContract);
        await page.getByLabel('Пароль', { exact: true }).fill('not-the-password');
        const [response] = await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).pathname === '/login' && r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Войти', exact: true }).click(),
        ]);
        expect(response.status()).toBe(401);
        await page.getByRole('alert').getByText('Неверный номер договора или пароль').waitFor();
        expect(new URL(page.url()).pathname).toBe('/login');
        expect(await page.getByLabel('Номер договора').inputValue()).toBe(DEMO.otherContract);
        expect(await page.getByLabel('Пароль', { exact: true }).inputValue()).toBe('');
        expect((await context.cookies()).some((c) => c.name === SESSION_COOKIE && c.expires > 0)).toBe(false);

        await page.goto('/cabinet');
        expect(where(page)).toBe('/login?next=%2Fcabinet');
      } finally {
        await context.close();
      }
    });
  });
});
