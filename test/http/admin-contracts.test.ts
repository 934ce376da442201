// The console's «Поиск» and a contract's page (issue 11, item 3), for each role, on both engines.
import request from 'supertest';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { dailyPayments, makeContract } from '../support/factories';
import { staffAgent } from '../support/staff';

jest.setTimeout(60_000);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const numbersIn = (html: string) => [...html.matchAll(/<a href="\/admin\/contracts\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);

async function people() {
  const ivanov = await makeContract(t.ctx, { number: '100123', name: 'Иванов Пётр Сергеевич', phones: ['+79051234567'] });
  const petrova = await makeContract(t.ctx, { number: '100124', name: 'Петрова Анна Ильинична', phones: ['+79139876543', '+79230001122'] });
  const other = await makeContract(t.ctx, { number: '2001001', name: 'Сидоров Олег', phones: [] });
  await t.ctx.db('contracts').where({ id: ivanov.id }).update({ address: 'ул. Ленина, д. 5, кв. 12' });
  await t.ctx.db('contracts').where({ id: petrova.id }).update({ address: 'пр. Металлургов, д. 17' });
  await t.ctx.db('contracts').where({ id: other.id }).update({ address: 'ул. 50% скидки_тест, д. 1' });
  return { ivanov, petrova, other };
}

describe('«Поиск»', () => {
  it('finds a contract by its number, exact or by its beginning, the exact one first', async () => {
    await people();
    await makeContract(t.ctx, { number: '1001230' });
    const { agent } = await staffAgent(t, 'cashier');
    const exact = await agent.get('/admin/contracts?q=100123');
    expect(exact.status).toBe(200);
    expect(numbersIn(exact.text)).toEqual(['100123', '1001230']);
    const prefix = await agent.get('/admin/contracts?q=1001');
    expect(numbersIn(prefix.text)).toEqual(['100123', '1001230', '100124']);
  });

  it('finds by a name or an address fragment in any case, Cyrillic included', async () => {
    await people();
    const { agent } = await staffAgent(t, 'support');
    expect(numbersIn((await agent.get(`/admin/contracts?q=${encodeURIComponent('ПЕТРОВА')}`)).text)).toEqual(['100124']);
    expect(numbersIn((await agent.get(`/admin/contracts?q=${encodeURIComponent('иванов пётр')}`)).text)).toEqual(['100123']);
    expect(numbersIn((await agent.get(`/admin/contracts?q=${encodeURIComponent('металлург')}`)).text)).toEqual(['100124']);
    expect(numbersIn((await agent.get(`/admin/contracts?q=${encodeURIComponent('Ленина 5')}`)).text)).toEqual(['100123']);
  });

  it('finds by a phone typed in any of the usual ways', async () => {
    await people();
    const { agent } = await staffAgent(t, 'admin');
    for (const q of ['8-905-123-45-67', '+7 (905) 123-45-67', '905 123', '89051234567', '7905123']) {
      const res = await agent.get(`/admin/contracts?q=${encodeURIComponent(q)}`);
      expect([q, numbersIn(res.text)]).toEqual([q, ['100123']]);
    }
    expect(numbersIn((await agent.get('/admin/contracts?q=923-000')).text)).toEqual(['100124']);
  });

  it('keeps the search right when a contract\'s name, address or phones change afterwards', async () => {
    const { ivanov } = await people();
    await t.ctx.db('contracts').where({ id: ivanov.id }).update({ name: 'Кузнецов Пётр' });
    await t.ctx.db('contract_phones').where({ contract_id: ivanov.id }).delete();
    await t.ctx.db('contract_phones').insert({ contract_id: ivanov.id, phone: '+79995554433', created_at: '2026-11-24T05:00:00.000Z' });
    const { agent } = await staffAgent(t, 'admin');
    expect(numbersIn((await agent.get(`/admin/contracts?q=${encodeURIComponent('кузнецов')}`)).text)).toEqual(['100123']);
    expect(numbersIn((await agent.get(`/admin/contracts?q=${encodeURIComponent('иванов')}`)).text)).toEqual([]);
    expect(numbersIn((await agent.get('/admin/contracts?q=999555')).text)).toEqual(['100123']);
    expect(numbersIn((await agent.get('/admin/contracts?q=905123')).text)).toEqual([]);
  });

  it('searches %, \' and _ literally and never fails on odd input', async () => {
    await people();
    const { agent } = await staffAgent(t, 'admin');
    expect(numbersIn((await agent.get(`/admin/contracts?q=${encodeURIComponent('50% скидки_тест')}`)).text)).toEqual(['2001001']);
    for (const q of ['%%%', '___', "'''", '%', '_', "'", '"', '""" OR *', 'NEAR(a b)', '\\', '{name}: x', 'ул._т', 'a'.repeat(500), 'Ленина%']) {
      const res = await agent.get(`/admin/contracts?q=${encodeURIComponent(q)}`);
      expect([q, res.status]).toEqual([q, 200]);
      expect([q, numbersIn(res.text)]).toEqual([q, []]);
    }
    const short = await agent.get(`/admin/contracts?q=${encodeURIComponent('Ив')}`);
    expect(short.text).toContain('Введите не меньше трёх букв');
    const none = await agent.get(`/admin/contracts?q=${encodeURIComponent('Нетакого')}`);
    expect(none.text).toContain('Ничего не найдено по запросу «Нетакого»');
  });

  it('shows at most 50 rows and says when there are more', async () => {
    for (let i = 0; i < 52; i++) await makeContract(t.ctx, { number: String(300000 + i), name: `Смирнов ${i}` });
    const { agent } = await staffAgent(t, 'admin');
    const res = await agent.get(`/admin/contracts?q=${encodeURIComponent('смирнов')}`);
    expect(numbersIn(res.text)).toHaveLength(50);
    expect(res.text).toContain('Показаны первые 50');
    const byNumber = await agent.get('/admin/contracts?q=3000');
    expect(numbersIn(byNumber.text)).toHaveLength(50);
    expect(byNumber.text).toContain('Показаны первые 50');
    const few = await agent.get('/admin/contracts?q=30005');
    expect(numbersIn(few.text)).toEqual(['300050', '300051']);
    expect(few.text).toContain('Найдено 2 договора');
  });

  it('answers htmx with the results alone, and the page with the form that works without JavaScript', async () => {
    await people();
    const { agent } = await staffAgent(t, 'admin');
    const page = await agent.get('/admin/contracts?q=100123');
    expect(page.text).toContain('<form method="get" action="/admin/contracts" role="search"');
    expect(page.text).toContain('hx-get="/admin/contracts"');
    expect(page.text).toContain('hx-push-url="true"');
    expect(page.text).toContain('value="100123"');
    expect(page.headers.vary).toMatch(/HX-Request/);
    const fragment = await agent.get('/admin/contracts?q=100123').set('HX-Request', 'true');
    expect(fragment.status).toBe(200);
    expect(fragment.text).not.toContain('<html');
    expect(fragment.text).not.toContain('role="search"');
    expect(numbersIn(fragment.text)).toEqual(['100123']);
    const empty = await agent.get('/admin/contracts');
    expect(empty.status).toBe(200);
    expect(numbersIn(empty.text)).toEqual([]);
  });

  it('is closed to the content role (403) and to visitors (sign-in)', async () => {
    const { agent } = await staffAgent(t, 'content');
    expect((await agent.get('/admin/contracts?q=1')).status).toBe(403);
    const visitor = await request(t.app).get('/admin/contracts');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toMatch(/^\/admin\/login/);
  });
});

describe('a contract\'s page', () => {
  async function fullContract() {
    const c = await makeContract(t.ctx, { number: '100555', name: 'Орлова Мария', phones: ['+79131112233'], payments: dailyPayments(60) });
    await t.ctx.db('contracts').where({ id: c.id }).update({ email: 'orlova@example.ru' });
    const now = '2026-11-24T04:00:00.000Z';
    await t.ctx.db('audit_log').insert([
      { at: now, actor: 'subscriber', actor_id: c.id, contract_id: c.id, action: 'login_failed', ip: '10.0.0.9' },
      { at: now, actor: 'visitor', contract_id: c.id, action: 'recovery_find', ip: '10.0.0.8' },
    ]);
    await t.ctx.db('notifications').insert({ contract_id: c.id, topic: 'balance', title: 'Баланс скоро закончится', body: 'Пополните', created_at: now });
    await t.ctx.db('outbox').insert([
      { channel: 'sms', recipient: '+79131112233', body: 'Код для входа: 482913', topic: 'recovery', one_time_code: true, state: 'sent', next_try_at: now, created_at: now },
      { channel: 'email', recipient: 'orlova@example.ru', subject: 'Счёт за ноябрь', body: 'Здравствуйте', topic: 'billing', one_time_code: false, state: 'queued', next_try_at: now, created_at: now },
      { channel: 'sms', recipient: '+79990000000', body: 'Чужое сообщение', topic: 'billing', one_time_code: false, state: 'sent', next_try_at: now, created_at: now },
    ]);
    return c;
  }

  it('shows the contract, its contacts, the ledger paged, payments, sessions, security events, notices and messages', async () => {
    const c = await fullContract();
    await signIn(t.app, c.number, c.password); // a live session of the subscriber
    const { agent } = await staffAgent(t, 'support');
    const res = await agent.get(`/admin/contracts/${c.id}`);
    expect(res.status).toBe(200);
    for (const text of ['Договор №\u00a0100555', 'Орлова Мария', 'ул. Тестовая', 'Активен', 'Тариф', '+7 (913) 111-22-33', 'orlova@example.ru',
      'Движение средств', 'Страница 1 из 2', 'Платежи', 'Показаны последние 20 из 60', 'Сеансы абонента', 'События безопасности',
      'login_failed', 'recovery_find', 'login', 'Баланс скоро закончится', 'Счёт за ноябрь', 'Одноразовый код (скрыт)']) {
      expect([text, res.text.includes(text)]).toEqual([text, true]);
    }
    expect(res.text).not.toContain('482913');
    expect(res.text).not.toContain('Чужое сообщение');
    expect(res.text).toContain('10.0.0.9');
    const page2 = await agent.get(`/admin/contracts/${c.id}?page=2`);
    expect(page2.text).toContain('Страница 2 из 2');
    expect((await agent.get(`/admin/contracts/${c.id}?page=abc`)).status).toBe(200);
    // reading a contract writes nothing to the audit
    expect(Number((await t.ctx.db('audit_log').where({ actor: 'staff' }).whereNot('action', 'staff_login').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('shows each action only to the roles that may do it', async () => {
    const c = await makeContract(t.ctx, { number: '100777' });
    const links = ['/edit"', '/tariff"', '/password"', '/close"', '/admin/cash-desk?contract=100777', '/admin/cash-desk/correction?contract=100777', `/admin/contracts/${c.id}/cabinet`];
    const expected: Record<string, string[]> = {
      admin: links,
      cashier: links.filter((l) => !l.endsWith('/cabinet')),
      support: ['/password"', `/admin/contracts/${c.id}/cabinet`],
    };
    for (const role of ['admin', 'cashier', 'support'] as const) {
      const { agent } = await staffAgent(t, role);
      const html = (await agent.get(`/admin/contracts/${c.id}`)).text;
      expect([role, links.filter((l) => html.includes(l))]).toEqual([role, expected[role]]);
    }
  });

  it('answers 404 for an unknown contract and leaves other paths to other routes', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const res = await agent.get('/admin/contracts/999999');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Такого договора нет.');
    expect((await agent.get('/admin/contracts/new-ish')).status).toBe(404);
    expect((await agent.get('/admin/contracts/0')).status).toBe(404);
  });

  it('is closed to the content role', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await staffAgent(t, 'content');
    expect((await agent.get(`/admin/contracts/${c.id}`)).status).toBe(403);
  });
});
