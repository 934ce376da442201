import request from 'supertest';
import { seedProvider } from '../../seeds/demo';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ PUBLIC_FORMS_PER_HOUR: '2' });
  await t.ctx.db.transaction((trx) => seedProvider(trx));
});
afterEach(() => t.close());

const count = async (table: string) => Number((await t.ctx.db(table).count({ n: '*' }).first())?.n);

describe('the frame', () => {
  it('has the four header links, «Обратная связь» and the contact numbers in the footer', async () => {
    const res = await request(t.app).get('/');
    for (const text of ['>Подключиться</a>', '>Тарифы</a>', '>Контакты</a>', '>Кабинет</a>', '>Обратная связь</a>', '+7 (3843) 75-60-00', '+7 (38471) 5-13-99']) {
      expect(res.text).toContain(text);
    }
  });

  it('has no link that leads to a missing page, for a visitor and for a subscriber', async () => {
    const c = await makeContract(t.ctx, { payments: [{ amount: 100, at: '2026-11-01T05:00:00.000Z' }] });
    const { agent } = await signIn(t.app, c.number, c.password);
    const seen = new Set<string>();
    const queue = ['/', '/cabinet', '/cabinet/payments', '/login', '/recover', '/connect', '/feedback', '/tariffs', '/contacts'];
    while (queue.length) {
      const url = queue.shift()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await agent.get(url);
      expect([200, 303]).toContain(res.status);
      for (const m of (res.text ?? "").matchAll(/(?:href|src|action)="(\/[^"]*)"/g)) {
        const next = m[1].replace(/&amp;/g, '&');
        if (!seen.has(next) && !next.startsWith('/logout')) queue.push(next);
      }
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('sends a CSP that allows no inline script, and the usual helmet headers', async () => {
    const res = await request(t.app).get('/');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves htmx from our own public folder with a long cache', async () => {
    const res = await request(t.app).get('/static/vendor/htmx.min.js');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.text).toContain('htmx');
  });
});

describe('errors', () => {
  it('answers an unknown address with a Russian 404 page', async () => {
    const res = await request(t.app).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Такой страницы нет');
    expect(res.text).toContain('<html lang="ru">');
  });

  it('answers a broken address with a 4xx, never a 500', async () => {
    const res = await request(t.app).get('/%E0%A4%A');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('shows a 500 page in Russian that reveals nothing when the database fails', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await signIn(t.app, c.number, c.password);
    await t.ctx.db.schema.renameTable('tariffs', 'tariffs_gone');
    const res = await agent.get('/cabinet');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Что-то пошло не так на нашей стороне');
    expect(res.text).not.toMatch(/tariffs_gone|SQLITE|no such table|\.ts:\d/);
    await t.ctx.db.schema.renameTable('tariffs_gone', 'tariffs');
  });
});

describe('public pages', () => {
  it('lists the tariffs on sale in a town by segment, without archived ones', async () => {
    const res = await request(t.app).get('/tariffs?town=osinniki');
    expect(res.text).toContain('Для квартиры');
    expect(res.text).toContain('Для частного дома');
    expect(res.text).toContain('Для бизнеса');
    expect(res.text).toContain('Домашний 100');
    expect(res.text).not.toContain('Домашний 300<'); // sold in Novokuznetsk only
    expect(res.text).not.toContain('Старт 2019'); // archived
    expect(res.text).toContain('180 каналов');
    const unknown = await request(t.app).get('/tariffs?town=<script>');
    expect(unknown.status).toBe(200);
    expect(unknown.text).not.toContain('<script>');
  });

  it('lists the contact centre numbers per town, the business department and the offices', async () => {
    const res = await request(t.app).get('/contacts');
    for (const text of ['Новокузнецк', 'Осинники', '+7 (3843) 75-64-02', 'Отдел по работе с юридическими лицами', 'ул. Кирова, 55', 'Пн–Пт 9:00–19:00']) {
      expect(res.text).toContain(text);
    }
  });

  it('says where to pay besides the cabinet: the offices and the provider\u2019s bank details, at /contacts#pay', async () => {
    const res = await request(t.app).get('/contacts');
    expect(res.status).toBe(200);
    const pay = res.text.slice(res.text.indexOf('id="pay"'));
    expect(pay).toContain('Как пополнить баланс');
    for (const text of ['Новокузнецк, ул. Кирова, 55', 'Осинники, ул. Победы, 12', 'Получатель</dt><dd>ООО «Сеть Центр»', 'ИНН</dt><dd>4217123456',
      'КПП</dt><dd>421701001', 'Расчётный счёт</dt><dd>40702810900000012345', 'Банк</dt><dd>АО «Демо-Банк», г. Кемерово', 'БИК</dt><dd>043207999',
      'Корреспондентский счёт</dt><dd>30101810900000000999', 'В назначении платежа укажите номер договора.']) {
      expect(pay).toContain(text);
    }
  });

  it('shows the offices without bank details while the provider has entered none', async () => {
    await t.ctx.db('provider_bank_details').del();
    const res = await request(t.app).get('/contacts');
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="pay"');
    expect(res.text).not.toContain('data-testid="bank-details"');
  });

  it('offers password recovery by contract number, and the contact centre when no phone is found', async () => {
    const agent = request.agent(t.app);
    const res = await agent.get('/recover');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Восстановление пароля');
    expect(res.text).toContain('Найти');
    const none = await agent.post('/recover').type('form').send({ _csrf: csrfFrom(res.text), contract: '999999' });
    expect(none.text).toContain('+7 (3843) 75-60-00');
  });
});

describe('«Подключиться» and «Обратная связь»', () => {
  async function post(url: string, fields: Record<string, string>, agent = request.agent(t.app)) {
    const page = await agent.get(url);
    return agent.post(url).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
  }

  it('takes a phone number, stores it in E.164 and thanks the visitor', async () => {
    const res = await post('/connect', { phone: '8 913 123-45-67', name: 'Олег', address: '' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/connect/sent');
    expect(await t.ctx.db('connection_requests').first()).toMatchObject({ phone: '+79131234567', name: 'Олег', address: null, status: 'new' });
    expect((await request(t.app).get('/connect/sent')).text).toContain('Заявка принята');
  });

  it.each([
    ['no phone', { phone: '' }, 'Введите номер телефона'],
    ['a phone that is not one', { phone: '12345' }, 'Введите номер телефона полностью'],
    ['a name of 1000 letters', { phone: '+79131234567', name: 'я'.repeat(1000) }, 'Слишком длинно'],
  ])('answers %s with a 422 beside the field and stores nothing', async (_n, fields, message) => {
    const res = await post('/connect', fields);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain('class="error-summary"');
    expect(await count('connection_requests')).toBe(0);
  });

  it('takes a question with name, phone and e-mail', async () => {
    const res = await post('/feedback', { name: 'Анна Петровна', phone: '+7 905 111-22-33', email: 'anna@example.ru', question: 'Когда подключат дом?' });
    expect(res.status).toBe(303);
    expect(await t.ctx.db('feedback').first()).toMatchObject({ name: 'Анна Петровна', phone: '+79051112233', email: 'anna@example.ru' });
  });

  it('refuses a broken e-mail and an empty question, keeping what was typed', async () => {
    const res = await post('/feedback', { name: 'Анна', phone: '+79051112233', email: 'not-an-email', question: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Введите адрес почты');
    expect(res.text).toContain('Напишите ваш вопрос');
    expect(res.text).toContain('value="not-an-email"');
    expect(await count('feedback')).toBe(0);
  });

  it('refuses a form without a csrf token and stores nothing', async () => {
    const res = await request(t.app).post('/connect').type('form').send({ phone: '+79131234567' });
    expect(res.status).toBe(403);
    expect(await count('connection_requests')).toBe(0);
  });

  it('limits how many requests one address can leave in an hour', async () => {
    for (let i = 0; i < 2; i++) expect((await post('/connect', { phone: '+79131234567' })).status).toBe(303);
    const third = await post('/feedback', { name: 'Спамер', phone: '+79131234567', question: 'реклама' });
    expect(third.status).toBe(429);
    expect(third.text).toContain('Слишком много запросов');
    expect(await count('feedback')).toBe(0);
  });
});
