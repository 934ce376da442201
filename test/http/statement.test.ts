import request from 'supertest';
import { chargeKey } from '../../src/billing/charges';
import { checkBalance, postEntry, type LedgerKind } from '../../src/billing/service';
import { addDays, startOfDay } from '../../src/lib/dates';
import { createStatementService } from '../../src/statement/service';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let contractId: number;
let number: string;

const TZ = 'Asia/Novokuznetsk';
/** The provider day at hh:mm, as UTC ISO. */
const at = (day: string, hh = 12, mm = 0) => new Date(startOfDay(day, TZ).getTime() + (hh * 60 + mm) * 60_000).toISOString();
let seq = 0;
const post = (kind: LedgerKind, amount: number, day: string, description: string, period?: [string, string], hh = 12) =>
  t.ctx.db.transaction((trx) =>
    postEntry(trx, {
      contract_id: contractId, kind, amount_kopecks: amount, description, occurred_at: at(day, hh, period ? 5 : 0),
      period_from: period?.[0] ?? null, period_to: period?.[1] ?? null, idempotency_key: kind === 'charge' && period?.[0] === period?.[1] ? chargeKey(contractId, period![0]) : `test:${++seq}`,
    }),
  );

beforeAll(async () => {
  t = await makeTestApp();
  t.clock.set('2024-01-01T05:00:00.000Z');
  const c = await makeContract(t.ctx, { number: '100777', fee: 45000 });
  ({ id: contractId, number } = c);
  await post('payment', 7000, '2025-06-10', 'Оплата'); // before the default period: the opening balance
  for (let m = 0; m < 10; m++) {
    const month = `${m < 1 ? '2025-12' : `2026-${String(m).padStart(2, '0')}`}`;
    await post('payment', 50000, `${month}-05`, 'Оплата');
    await post('charge', -45000, `${month}-28`, 'Абонентская плата «Тариф»', [`${month}-01`, `${month}-28`], 0);
  }
  await post('refund', -5000, '2026-09-20', 'Возврат ошибочного платежа');
  await post('correction', 1234, '2026-10-15', 'Перерасчёт за аварию 14.10');
  for (let day = '2026-10-01'; day <= '2026-11-24'; day = addDays(day, 1)) {
    if (day === '2026-11-05' || day === '2026-10-05') await post('payment', 50000, day, 'Оплата');
    await post('charge', -1500, day, 'Абонентская плата за день', [day, day], 0);
  }
  await post('promised_credit', 30000, '2026-11-10', 'Обещанный платёж');
  await post('promised_repayment', -30000, '2026-11-13', 'Погашение обещанного платежа');
  const other = await makeContract(t.ctx, { number: '100888', payments: [{ amount: 777700, at: at('2026-11-01') }] });
  expect(other.id).not.toBe(contractId);
  t.clock.set('2026-11-24T05:00:00.000Z');
  ({ agent } = await signIn(t.app, number, c.password));
});
afterAll(() => t.close());

const entryRows = (html: string) => (html.match(/<tr class="entry">/g) ?? []).length;
const monthRows = (html: string) => (html.match(/<li data-month=/g) ?? []).length;

describe('«Выписка»', () => {
  it('shows the last 12 months by default: monthly totals and the entries, newest first, in Russian', async () => {
    const res = await agent.get('/cabinet/statement');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.vary).toMatch(/HX-Request/);
    expect(res.text).toContain('<html lang="ru">');
    expect(res.text).toContain('Выписка с 01.12.2025 по 24.11.2026.');
    expect(monthRows(res.text)).toBe(12);
    expect(res.text).toContain('Декабрь 2025');
    expect(res.text).toContain('<strong>Ноябрь 2026</strong> <span class="muted">(01.11–24.11)</span>');
    expect(res.text).toContain('На начало периода (01.12.2025): 70,00\u00a0₽');
    expect(entryRows(res.text)).toBe(20);
    for (const kind of ['Оплата', 'Абонентская плата', 'Обещанный платёж', 'Возврат обещанного платежа']) expect(res.text).toContain(`<strong>${kind}</strong>`);
    // a run of daily charges between other entries is one row: 14..24 November, after the promised repayment of the 13th
    expect(res.text).toContain('14.11.2026 – 24.11.2026');
    expect(res.text).toContain('Абонентская плата за день, 11 дней');
    expect(res.text).toContain('−165,00\u00a0₽');
    expect(res.text).toContain('Абонентская плата за день, 3 дня'); // 11..13 November
    expect(res.text).toContain('href="/cabinet/statement.csv?from=2025-12-01&amp;to=2026-11-24"');
    expect(res.text).toContain('href="/cabinet/statement" aria-current="page"');
  });

  it('has monthly totals that add up exactly: opening + entries = closing, month after month, to the balance', async () => {
    const service = createStatementService(t.ctx);
    const s = await service.statement(contractId, { from: '2025-12-01', to: '2026-11-24' }, 1);
    expect(s.months[0].opening).toBe(7000); // everything before the period
    let opening = s.months[0].opening;
    for (const m of s.months) {
      expect(m.opening).toBe(opening);
      expect(m.closing).toBe(m.opening + m.charges + m.payments + m.other);
      opening = m.closing;
    }
    const { cached, ledger } = await checkBalance(t.ctx.db, contractId);
    expect(cached).toBe(ledger);
    expect(s.closing).toBe(ledger);
    const oct = s.months.find((m) => m.month === '2026-10')!;
    expect(oct).toMatchObject({ payments: 50000, charges: -31 * 1500, other: 1234 });
    expect(s.months.find((m) => m.month === '2026-09')).toMatchObject({ payments: 50000, charges: -45000, other: -5000 });
    const nov = s.months.find((m) => m.month === '2026-11')!;
    expect(nov).toMatchObject({ payments: 50000, charges: -24 * 1500, other: 0 }); // the promised payment and its repayment net to zero
    const page = await agent.get('/cabinet/statement');
    expect(page.text).toContain(`<strong>${new Intl.NumberFormat('ru-RU').format(Math.trunc(ledger / 100))},${String(ledger % 100).padStart(2, '0')}\u00a0₽</strong>`);
  });

  it('answers htmx with the statement region alone, and Back (a history restore) with the whole page', async () => {
    const fragment = await agent.get('/cabinet/statement?page=2').set('HX-Request', 'true');
    expect(fragment.status).toBe(200);
    expect(fragment.headers.vary).toMatch(/HX-Request/);
    expect(fragment.text.trim().startsWith('<section id="statement">')).toBe(true);
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).toContain('hx-push-url="true"');
    expect(fragment.text).toMatch(/Страница 2 из \d/);
    const restore = await agent.get('/cabinet/statement?page=2').set('HX-Request', 'true').set('HX-History-Restore-Request', 'true');
    expect(restore.text).toContain('<html lang="ru">');
  });

  it('filters by a period of provider days, typed either way, and keeps it in the page links', async () => {
    for (const url of ['/cabinet/statement?from=2026-10-01&to=2026-10-31', '/cabinet/statement?from=01.10.2026&to=31.10.2026']) {
      const res = await agent.get(url);
      expect(res.status).toBe(200);
      expect(monthRows(res.text)).toBe(1);
      expect(res.text).toContain('Октябрь 2026');
      expect(res.text).toContain('<strong>Корректировка</strong>');
      expect(res.text).not.toContain('11.2026');
      expect(res.text).toContain('href="/cabinet/statement.csv?from=2026-10-01&amp;to=2026-10-31"');
      expect(res.text).toContain('name="from" type="date" value="2026-10-01"'); // a date input shows only this form
    }
    const longer = await agent.get('/cabinet/statement?from=2026-01-01&to=2026-11-24');
    expect(longer.text).toContain('href="/cabinet/statement?from=2026-01-01&amp;to=2026-11-24&amp;page=2"');
    expect((await agent.get('/cabinet/statement?from=2026-01-01&to=2026-11-24&page=999')).text).toMatch(/Страница (\d+) из \1/);
    expect((await agent.get('/cabinet/statement?from=2020-01-01&to=2020-01-31')).text).toContain('За этот период операций нет.');
    const september = await agent.get('/cabinet/statement?from=2026-09-01&to=2026-09-30');
    expect(september.text).toContain('Абонентская плата «Тариф»<br><span class="muted">за 01.09.2026 – 28.09.2026</span>');
    expect(september.text).toContain('<strong>Возврат</strong><br>Возврат ошибочного платежа');
    expect(september.text).not.toContain('<strong>Оплата</strong><br>Оплата'); // the kind is not repeated as the description
  });

  it.each([
    ['a period that ends before it starts', 'from=2026-11-10&to=2026-11-01', 'Конец периода раньше его начала'],
    ['a period of ten years', 'from=2016-11-01&to=2026-11-24', 'Выписку можно получить не больше чем за 36 месяцев'],
    ['a start in the future', 'from=2027-01-01', 'Дата начала ещё не наступила'],
    ['letters for a date', 'from=вчера', 'Введите дату начала в виде ДД.ММ.ГГГГ'],
    ['a date that does not exist', 'to=31.02.2026', 'Введите дату конца в виде ДД.ММ.ГГГГ'],
    ['a page that is not a number', 'page=abc', 'Номер страницы — целое число от 1'],
    ['a repeated parameter', 'from=2026-01-01&from=2026-02-01', 'Запрос не удалось разобрать'],
  ])('answers %s with a clear 422, as a page, as a fragment and for the CSV', async (_name, qs, message) => {
    const page = await agent.get(`/cabinet/statement?${qs}`);
    expect(page.status).toBe(422);
    expect(page.text).toContain('<html lang="ru">');
    expect(page.text).toContain(message);
    expect(entryRows(page.text)).toBe(0);
    const fragment = await agent.get(`/cabinet/statement?${qs}`).set('HX-Request', 'true');
    expect(fragment.status).toBe(422);
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).toContain(message);
    if (qs.startsWith('page=')) return; // the CSV has no pages
    const csv = await agent.get(`/cabinet/statement.csv?${qs}`);
    expect(csv.status).toBe(422);
    expect(csv.headers['content-type']).toMatch(/text\/html/);
    expect(csv.headers['content-disposition']).toBeUndefined();
    expect(csv.text).toContain(message);
  });

  it('accepts a period of exactly 36 months', async () => {
    expect((await agent.get('/cabinet/statement?from=2023-12-01&to=2026-11-24')).status).toBe(200);
    expect((await agent.get('/cabinet/statement?from=2023-11-30&to=2026-11-24')).status).toBe(422);
  });

  it('downloads the same entries as CSV for Excel: BOM, semicolons, 1234,50, a header, the period in the file name', async () => {
    const res = await agent.get('/cabinet/statement.csv?from=01.10.2026&to=2026-11-24').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?statement-100777-2026-10-01-2026-11-24\.csv"?$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.body as string;
    expect(body.charCodeAt(0)).toBe(0xfeff);
    const lines = body.slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('Дата;Операция;Описание;За период;Сумма, руб.;Остаток, руб.');
    const s = await createStatementService(t.ctx).statement(contractId, { from: '2026-10-01', to: '2026-11-24' }, 1);
    expect(lines).toHaveLength(1 + s.entriesCount);
    expect(s.entriesCount).toBe(55 + 2 + 1 + 2); // daily charges, payments, the correction, the promised pair
    const csvAmount = (k: number) => `${k < 0 ? '-' : ''}${Math.trunc(Math.abs(k) / 100)},${String(Math.abs(k) % 100).padStart(2, '0')}`;
    expect(lines[1]).toBe(`01.10.2026;Абонентская плата;Абонентская плата за день;01.10.2026;-15,00;${csvAmount(s.opening - 1500)}`);
    expect(lines.filter((l) => l.startsWith('05.10.2026;Оплата;Оплата;;500,00;'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('15.10.2026;Корректировка;Перерасчёт за аварию 14.10;;12,34;'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('13.11.2026;Возврат обещанного платежа;Погашение обещанного платежа;;-300,00;'))).toHaveLength(1);
    const last = lines[lines.length - 1].split(';');
    expect(last[5]).toBe(csvAmount(s.closing));
    expect(body).not.toContain('7777,00');
  });

  it('never shows another contract\u2019s entries, whatever the query says', async () => {
    for (const url of ['/cabinet/statement?contract=100888', '/cabinet/statement?contract_id=2', '/cabinet/statement?from=2026-11-01&to=2026-11-01']) {
      expect((await agent.get(url)).text).not.toContain('7\u00a0777,00');
    }
    expect((await agent.get('/cabinet/statement.csv?contract=100888')).text).not.toContain('7777,00');
  });

  it('is for signed-in subscribers only', async () => {
    expect((await request(t.app).get('/cabinet/statement')).status).toBe(303);
    expect((await request(t.app).get('/cabinet/statement.csv')).status).toBe(303);
  });
});
