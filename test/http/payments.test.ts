import request from 'supertest';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { dailyPayments, makeContract } from '../support/factories';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let otherNumber: string;

beforeAll(async () => {
  t = await makeTestApp();
  const c = await makeContract(t.ctx, { number: '100300', payments: [...dailyPayments(45), { amount: 99900, at: '2026-11-23T06:00:00.000Z', method: 'bank', status: 'canceled' }] });
  const other = await makeContract(t.ctx, { number: '100400', payments: [{ amount: 777700, at: '2026-11-22T05:00:00.000Z' }] });
  otherNumber = other.number;
  ({ agent } = await signIn(t.app, c.number, c.password));
});
afterAll(() => t.close());

const rows = (html: string) => (html.match(/<tr>\s*<td>/g) ?? []).length;

describe('«История платежей»', () => {
  it('shows the newest 20 payments with date, amount, method and status', async () => {
    const res = await agent.get('/cabinet/payments');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="ru">');
    expect(rows(res.text)).toBe(20);
    expect(res.text).toContain('Найдено 46 платежей');
    expect(res.text).toContain('Страница 1 из 3');
    expect(res.text).toContain('23.11.2026 13:00'); // the cancelled payment, in provider time
    expect(res.text).toContain('Отклонён');
    expect(res.text).toContain('Зачислен');
    expect(res.text).toContain('Банковская карта');
    expect(res.text).toContain('href="/cabinet/payments?page=2"');
  });

  it('answers htmx with the history region alone and pushes nothing itself', async () => {
    const res = await agent.get('/cabinet/payments?page=2').set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.headers.vary).toMatch(/HX-Request/);
    expect(res.text.trim().startsWith('<section id="history">')).toBe(true);
    expect(res.text).not.toContain('<html');
    expect(rows(res.text)).toBe(20);
    expect(res.text).toContain('Страница 2 из 3');
  });

  it('gives Back (a history restore) the whole page, never a bare fragment', async () => {
    const res = await agent.get('/cabinet/payments?page=2').set('HX-Request', 'true').set('HX-History-Restore-Request', 'true');
    expect(res.text).toContain('<html lang="ru">');
    expect(res.text).toContain('Страница 2 из 3');
  });

  it('shows the last page with what is left, and the last page for a page past the end', async () => {
    expect(rows((await agent.get('/cabinet/payments?page=3')).text)).toBe(6);
    expect((await agent.get('/cabinet/payments?page=99')).text).toContain('Страница 3 из 3');
  });

  it('filters by a period of provider days, from dates typed either way', async () => {
    for (const url of ['/cabinet/payments?from=2026-11-01&to=2026-11-10', '/cabinet/payments?from=01.11.2026&to=10.11.2026']) {
      const res = await agent.get(url);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Найдено 10 платежей');
      expect(res.text).not.toContain('11.11.2026');
      expect(res.text).not.toContain('31.10.2026');
    }
    const empty = await agent.get('/cabinet/payments?from=2020-01-01&to=2020-01-31');
    expect(empty.text).toContain('За этот период платежей нет.');
  });

  it('keeps the period in the page links', async () => {
    const res = await agent.get('/cabinet/payments?from=2026-10-01&to=2026-11-30');
    expect(res.text).toContain('href="/cabinet/payments?from=2026-10-01&amp;to=2026-11-30&amp;page=2"');
  });

  it.each([
    ['a period that ends before it starts', 'from=2026-11-10&to=2026-11-01', 'Конец периода раньше его начала'],
    ['a date that does not exist', 'from=2026-02-30', 'Введите дату начала в виде ДД.ММ.ГГГГ'],
    ['letters for a date', 'to=вчера', 'Введите дату конца в виде ДД.ММ.ГГГГ'],
    ['a page that is not a number', 'page=abc', 'Номер страницы — целое число от 1'],
    ['page zero', 'page=0', 'Номер страницы — целое число от 1'],
    ['a repeated parameter', 'from=2026-01-01&from=2026-02-01', 'Запрос не удалось разобрать'],
  ])('answers %s with a clear 422, as a page and as a fragment', async (_name, qs, message) => {
    const page = await agent.get(`/cabinet/payments?${qs}`);
    expect(page.status).toBe(422);
    expect(page.text).toContain('<html lang="ru">');
    expect(page.text).toContain(message);
    expect(rows(page.text)).toBe(0);
    const fragment = await agent.get(`/cabinet/payments?${qs}`).set('HX-Request', 'true');
    expect(fragment.status).toBe(422);
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).toContain(message);
  });

  it('never shows another contract\u2019s payments, whatever the query says', async () => {
    for (const url of [`/cabinet/payments?contract=${otherNumber}`, `/cabinet/payments?contract_id=2`, '/cabinet/payments?from=2026-11-22&to=2026-11-22']) {
      const res = await agent.get(url);
      expect(res.text).not.toContain('7\u00a0777,00');
    }
  });

  it('is for signed-in subscribers only', async () => {
    expect((await request(t.app).get('/cabinet/payments')).status).toBe(303);
  });
});

describe('the period fields', () => {
  it('show a day typed as 01.11.2026 back as the date input expects it', async () => {
    const res = await agent.get('/cabinet/payments?from=01.11.2026&to=10.11.2026');
    expect(res.text).toContain('value="2026-11-01"');
    expect(res.text).toContain('value="2026-11-10"');
  });
});
