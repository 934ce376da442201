import request from 'supertest';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

describe('the cabinet dashboard', () => {
  it('shows the contract, the subscriber, the tariff and fee, the balance and the day it lasts until', async () => {
    const c = await makeContract(t.ctx, { number: '100555', name: 'Петрова Анна Сергеевна', fee: 30000, payments: [{ amount: 40000, at: '2026-11-20T05:00:00.000Z' }] });
    const { agent } = await signIn(t.app, c.number, c.password);
    const res = await agent.get('/cabinet');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('Договор №\u00a0100555');
    expect(res.text).toContain('Петрова Анна Сергеевна');
    expect(res.text).toContain('ул. Тестовая');
    expect(res.text).toContain('Активен');
    expect(res.text).toContain('300,00\u00a0₽ в месяц');
    expect(res.text).toContain('400,00\u00a0₽');
    // 400 ₽ at 300 ₽ a month from 25.11: 60 ₽ for 25-30 November, 300 ₽ for December, 40 ₽ = 4 days of January
    expect(res.text).toContain('Хватит до 04.01.2027 включительно');
  });

  it('lists the extra services in force today with their fees', async () => {
    const c = await makeContract(t.ctx, { payments: [{ amount: 50000, at: '2026-11-20T05:00:00.000Z' }] });
    const [{ id: ip }] = await t.ctx.db('services').insert({ code: 'ip', name: 'Статический IP-адрес', monthly_fee_kopecks: 15000 }).returning('id');
    const [{ id: box }] = await t.ctx.db('services').insert({ code: 'box', name: 'Аренда ТВ-приставки', monthly_fee_kopecks: 10000 }).returning('id');
    await t.ctx.db('contract_services').insert([
      { contract_id: c.id, service_id: ip, from_day: '2026-11-01' },
      { contract_id: c.id, service_id: box, from_day: '2026-12-01' }, // not yet
    ]);
    const { agent } = await signIn(t.app, c.number, c.password);
    const res = await agent.get('/cabinet');
    expect(res.text).toContain('Дополнительные услуги');
    expect(res.text).toContain('Статический IP-адрес — 150,00\u00a0₽ в месяц');
    expect(res.text).not.toContain('Аренда ТВ-приставки');
  });

  it('tells a blocked subscriber why and what to do', async () => {
    const c = await makeContract(t.ctx, { status: 'blocked' });
    const { agent } = await signIn(t.app, c.number, c.password);
    const res = await agent.get('/cabinet');
    expect(res.text).toContain('Заблокирован');
    expect(res.text).toContain('Договор заблокирован. Доступ откроется сразу, как только на баланс поступит');
    // the banner's «в офисе или через банк» leads to the offices and the bank details
    expect(res.text).toContain('Пополнить баланс можно и <a href="/contacts#pay">в офисе или через банк</a> по номеру договора');
  });

  it('answers htmx with the balance fragment alone, and a plain request with the whole page', async () => {
    const c = await makeContract(t.ctx, { payments: [{ amount: 12345, at: '2026-11-20T05:00:00.000Z' }] });
    const { agent } = await signIn(t.app, c.number, c.password);
    const fragment = await agent.get('/cabinet/balance').set('HX-Request', 'true');
    expect(fragment.status).toBe(200);
    expect(fragment.headers.vary).toMatch(/HX-Request/);
    expect(fragment.text.trim().startsWith('<section id="balance"')).toBe(true);
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).toContain('123,45\u00a0₽');
    expect(fragment.text).toContain('hx-trigger="every 60s"');
    const page = await agent.get('/cabinet/balance');
    expect(page.text).toContain('<html lang="ru">');
    expect(page.text).toContain('123,45\u00a0₽');
    const restore = await agent.get('/cabinet/balance').set('HX-Request', 'true').set('HX-History-Restore-Request', 'true');
    expect(restore.text).toContain('<html lang="ru">');
  });

  it('shows the balance the ledger says, at once after it changes', async () => {
    const c = await makeContract(t.ctx, { payments: [{ amount: 10000, at: '2026-11-20T05:00:00.000Z' }] });
    const { agent } = await signIn(t.app, c.number, c.password);
    expect((await agent.get('/cabinet/balance').set('HX-Request', 'true')).text).toContain('100,00\u00a0₽');
    const { postEntry } = await import('../../src/billing/service');
    await t.ctx.db.transaction((trx) =>
      postEntry(trx, { contract_id: c.id, kind: 'payment', amount_kopecks: 5050, description: 'Оплата', idempotency_key: 'later', occurred_at: t.clock.now().toISOString() }),
    );
    expect((await agent.get('/cabinet/balance').set('HX-Request', 'true')).text).toContain('150,50\u00a0₽');
  });

  it('sends a visitor who is not signed in to the sign-in page, and htmx to it through HX-Redirect', async () => {
    const page = await request(t.app).get('/cabinet');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fcabinet');
    const fragment = await request(t.app).get('/cabinet/balance').set('HX-Request', 'true');
    expect(fragment.status).toBe(401);
    expect(fragment.headers['hx-redirect']).toBe('/login?next=%2Fcabinet%2Fbalance');
  });

  it('shows each subscriber only their own contract, whatever the address says', async () => {
    const mine = await makeContract(t.ctx, { number: '100101', name: 'Мой Абонент' });
    const other = await makeContract(t.ctx, { number: '100202', name: 'Чужой Абонент' });
    const { agent } = await signIn(t.app, mine.number, mine.password);
    for (const url of ['/cabinet', `/cabinet?contract=${other.number}`, `/cabinet?id=${other.id}`, '/cabinet/balance?contract_id=' + other.id]) {
      const res = await agent.get(url);
      expect(res.text).toContain('Договор №\u00a0100101');
      expect(res.text).not.toContain('100202');
      expect(res.text).not.toContain('Чужой Абонент');
    }
    for (const url of [`/cabinet/${other.id}`, `/cabinet/contracts/${other.number}`, `/cabinet/payments/${other.id}`]) {
      expect((await agent.get(url)).status).toBe(404);
    }
  });
});
