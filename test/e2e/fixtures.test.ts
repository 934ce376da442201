// A tester's journey (issue 14, «Done when»), once with JavaScript and once without: load an example fixture
// (fixtures/promised-payment-due-tomorrow.yaml) with `kabinet fixtures load`, start the portal at the fixture's
// moment (KABINET_NOW), sign in as its subscriber and see exactly what the file says; move the clock a day with
// `kabinet clock advance 1d` and see the promised payment taken back and the contract blocked again.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWithBrowser, launchBrowser, MODES, newContext, startApp, where, type Mode } from './support';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const FIXTURE = path.join(ROOT, 'fixtures', 'promised-payment-due-tomorrow.yaml');

function kabinet(args: string[], databaseFile: string): string {
  return execFileSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', DATABASE_FILE: databaseFile, BCRYPT_COST: '4', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describeWithBrowser('a tester\'s fixture and the moved clock', () => {
  describe.each(MODES)('$label', (mode: Mode) => {
    test('the subscriber of the fixture sees its balance, status and promised payment; a day later it is taken back', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-fixture-'));
      const databaseFile = path.join(dir, 'promised.sqlite');
      kabinet(['fixtures', 'load', FIXTURE, '--into', databaseFile], databaseFile);
      const app = await startApp(60_000, { databaseFile, env: { KABINET_NOW: '2026-12-15T12:00' } });
      const browser = await launchBrowser();
      const context = await newContext(browser, app, mode);
      const page = await context.newPage();
      const signIn = async () => {
        await page.goto('/login');
        await page.getByLabel('Номер договора').fill('300002');
        await page.getByLabel('Пароль', { exact: true }).fill('promised-2026');
        await page.getByRole('button', { name: 'Войти', exact: true }).click();
        await page.getByTestId('balance').waitFor();
      };
      try {
        await signIn();
        const before = (await page.locator('main').textContent())!;
        expect(await page.getByTestId('balance').textContent()).toContain('100,00');
        expect(before).toContain('Активен');
        expect(await page.getByTestId('promised-open').textContent()).toContain('16.12.2026');
        expect(await page.locator('body').textContent()).toContain('Тестовое время: 15.12.2026');

        kabinet(['clock', 'advance', '1d'], databaseFile);
        // The server reads the moved clock within a second; a jump of a day ends a session signed in without
        // «Запомнить», as it would in real time: sign in again.
        const deadline = Date.now() + 15_000;
        for (;;) {
          await page.goto('/login');
          if ((await page.locator('body').textContent())?.includes('Тестовое время: 16.12.2026')) break;
          if (Date.now() > deadline) throw new Error('the server did not show the moved clock within 15 s');
          await page.waitForTimeout(250); // the server re-reads the clock's row once a second: ask again
        }
        await signIn();
        const after = (await page.locator('main').textContent())!;
        expect(after).toContain('Заблокирован');
        expect(await page.getByTestId('balance').textContent()).toMatch(/−|-/);
        expect(await page.getByTestId('promised-open').count()).toBe(0);
      } catch (err) {
        throw new Error(`${String(err)}\nat ${where(page)}\nserver: ${app.output().slice(-2000)}`);
      } finally {
        await context.close();
        await browser.close();
        await app.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
