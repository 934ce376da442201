// «Профиль»: contacts after the password again (a new phone by code, a new e-mail by link, the last phone stays,
// old contacts told, every change audited), subscriptions and one-click unsubscribe, notices, sessions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { notify } from '../../src/notifications/notify';
import { unsubscribeToken } from '../../src/notifications/subscriptions';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

type Agent = ReturnType<typeof request.agent>;
let t: TestApp;
let dir: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-profile-'));
  t = await makeTestApp({ SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_FILE: path.join(dir, 'email.jsonl') });
});
afterEach(() => t.close());

const lines = (f: string): { to: string; text: string; subject?: string; headers?: Record<string, string> }[] =>
  fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
const audits = (contractId: number) => t.ctx.db('audit_log').where({ contract_id: contractId }).pluck('action');

async function subscriber(phones = ['+79131234567']) {
  const c = await makeContract(t.ctx, { password: 'old password 1', phones });
  await t.ctx.db('contracts').where({ id: c.id }).update({ email: 'old@example.ru' });
  const { agent } = await signIn(t.app, c.number, 'old password 1');
  return { ...c, agent };
}
async function post(agent: Agent, pageUrl: string, url: string, fields: object) {
  const page = await agent.get(pageUrl);
  return agent.post(url).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}
const reauth = (agent: Agent, password = 'old password 1') => post(agent, '/cabinet/profile/contacts', '/cabinet/profile/contacts/reauth', { password });
const contactsPost = (agent: Agent, url: string, fields: object) => post(agent, '/cabinet/profile/contacts', url, fields);

describe('contacts', () => {
  it('asks for the current password first; a wrong one does not open the page, and changes are refused without it', async () => {
    const s = await subscriber();
    const first = await s.agent.get('/cabinet/profile/contacts');
    expect(first.text).toContain('введите пароль ещё раз');
    expect(first.text).not.toContain('+7 (913) 123-45-67');
    const wrong = await reauth(s.agent, 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Неверный пароль');
    const sneak = await post(s.agent, '/cabinet/profile/contacts', '/cabinet/profile/contacts/phone', { phone: '+79051112233' });
    expect(sneak.status).toBe(401);
    expect(await t.ctx.db('contact_changes')).toHaveLength(0);
    expect((await reauth(s.agent)).status).toBe(303);
    const open = await s.agent.get('/cabinet/profile/contacts');
    expect(open.text).toContain('+7 (913) 123-45-67');
    expect(open.text).toContain('old@example.ru');
    // the window closes after 10 minutes
    t.clock.advance(10 * 60_000 + 1);
    expect((await s.agent.get('/cabinet/profile/contacts')).text).toContain('введите пароль ещё раз');
  });

  it('counts parallel wrong passwords before checking them: no more are checked than the sign-in limit', async () => {
    const limited = await makeTestApp({ LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK: '3', SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_FILE: path.join(dir, 'email.jsonl') });
    try {
      const c = await makeContract(limited.ctx, { password: 'old password 1' });
      const { agent } = await signIn(limited.app, c.number, 'old password 1');
      const csrf = csrfFrom((await agent.get('/cabinet/profile/contacts')).text);
      const codes = await Promise.all(Array.from({ length: 20 }, () => agent.post('/cabinet/profile/contacts/reauth').type('form').send({ _csrf: csrf, password: 'nope' }).then((r) => r.status)));
      expect(codes.filter((s) => s === 401)).toHaveLength(3);
      expect(codes.filter((s) => s === 429)).toHaveLength(17);
      // the right password is refused too until the block ends; a right one before the limit gives its try back
      const page = await agent.get('/cabinet/profile/contacts');
      expect((await agent.post('/cabinet/profile/contacts/reauth').type('form').send({ _csrf: csrfFrom(page.text), password: 'old password 1' })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('adds a phone only after the code sent to it; a wrong code or a bad number is refused; old contacts are told; audited', async () => {
    const s = await subscriber();
    await reauth(s.agent);
    const bad = await contactsPost(s.agent, '/cabinet/profile/contacts/phone', { phone: '12345' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Введите номер телефона');
    const dup = await contactsPost(s.agent, '/cabinet/profile/contacts/phone', { phone: '8 913 123-45-67' });
    expect(dup.text).toContain('уже привязан');
    expect((await contactsPost(s.agent, '/cabinet/profile/contacts/phone', { phone: '8 (905) 111-22-33' })).status).toBe(303);
    const sms = lines('sms.jsonl');
    expect(sms.at(-1)!.to).toBe('+79051112233');
    const code = /(\d{6})/.exec(sms.at(-1)!.text)![1];
    expect(await t.ctx.db('contract_phones').where({ contract_id: s.id })).toHaveLength(1); // not yet
    const page = await s.agent.get('/cabinet/profile/contacts');
    const change = /name="change" value="(\d+)"/.exec(page.text)![1];
    const wrong = await contactsPost(s.agent, '/cabinet/profile/contacts/phone/confirm', { change, code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    const letters = await contactsPost(s.agent, '/cabinet/profile/contacts/phone/confirm', { change, code: '12ab56' });
    expect(letters.text).toContain('Код — это 6 цифр');
    expect((await contactsPost(s.agent, '/cabinet/profile/contacts/phone/confirm', { change, code })).status).toBe(303);
    expect(await t.ctx.db('contract_phones').where({ contract_id: s.id }).orderBy('id').pluck('phone')).toEqual(['+79131234567', '+79051112233']);
    // the old phone and the old e-mail are told
    const told = await t.ctx.db('outbox').where({ contract_id: s.id, topic: 'account' }).select('channel', 'recipient');
    expect(told).toEqual(expect.arrayContaining([{ channel: 'sms', recipient: '+79131234567' }, { channel: 'email', recipient: 'old@example.ru' }]));
    expect(told).not.toContainEqual({ channel: 'sms', recipient: '+79051112233' }); // the old contacts, not the new phone
    // the same code again (a double submit): nothing more is added, nobody is told twice
    const again = await contactsPost(s.agent, '/cabinet/profile/contacts/phone/confirm', { change, code });
    expect(again.status).not.toBe(500);
    expect(await t.ctx.db('contract_phones').where({ contract_id: s.id })).toHaveLength(2);
    expect(await t.ctx.db('outbox').where({ contract_id: s.id, topic: 'account' })).toHaveLength(told.length);
    expect(await audits(s.id)).toEqual(expect.arrayContaining(['phone_code_sent', 'phone_added']));
  });

  it('adds Russian mobile numbers only by default: international, premium and fixed-line numbers are refused in Russian, nothing sent', async () => {
    const s = await subscriber();
    await reauth(s.agent);
    const cases: [string, string][] = [
      ['+77011234567', 'только российский мобильный номер'], // Kazakhstan shares +7
      ['+375 29 123-45-67', 'только российский мобильный номер'],
      ['+882 1345 6789', 'только российский мобильный номер'], // international networks (premium)
      ['8 800 555-35-35', 'Нужен номер мобильного телефона'],
      ['+7 (3843) 75-60-00', 'Нужен номер мобильного телефона'],
    ];
    for (const [phone, message] of cases) {
      const r = await contactsPost(s.agent, '/cabinet/profile/contacts/phone', { phone });
      expect(r.status).toBe(422);
      expect(r.text).toContain(message);
    }
    expect(lines('sms.jsonl')).toEqual([]);
    expect(await t.ctx.db('contact_changes').where({ contract_id: s.id })).toEqual([]);
  });

  it('adds numbers of the countries PHONE_ALLOWED_COUNTRIES names, and names them when refusing another', async () => {
    await t.close();
    t = await makeTestApp({ SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_FILE: path.join(dir, 'email.jsonl'), PHONE_ALLOWED_COUNTRIES: 'ru, KZ,BY' });
    const s = await subscriber();
    await reauth(s.agent);
    expect((await contactsPost(s.agent, '/cabinet/profile/contacts/phone', { phone: '+77011234567' })).status).toBe(303);
    expect(lines('sms.jsonl').at(-1)!.to).toBe('+77011234567');
    const uk = await contactsPost(s.agent, '/cabinet/profile/contacts/phone', { phone: '+44 7400 123456' });
    expect(uk.status).toBe(422);
    expect(uk.text).toContain('Можно мобильные номера стран: Россия, Казахстан, Беларусь');
  });

  it('never removes the last phone; removes another one, audited', async () => {
    const s = await subscriber(['+79131234567', '+79051112233']);
    await reauth(s.agent);
    const ids = await t.ctx.db('contract_phones').where({ contract_id: s.id }).orderBy('id').pluck('id');
    expect((await contactsPost(s.agent, '/cabinet/profile/contacts/phone/remove', { phone: String(ids[1]) })).status).toBe(303);
    const last = await contactsPost(s.agent, '/cabinet/profile/contacts/phone/remove', { phone: String(ids[0]) });
    expect(last.status).toBe(409);
    expect(last.text).toContain('Последний телефон удалить нельзя');
    expect(await t.ctx.db('contract_phones').where({ contract_id: s.id }).pluck('phone')).toEqual(['+79131234567']);
    // someone else's phone id
    const other = await makeContract(t.ctx, { phones: ['+79230000000', '+79230000001'] });
    const otherId = (await t.ctx.db('contract_phones').where({ contract_id: other.id }).first()).id;
    expect((await contactsPost(s.agent, '/cabinet/profile/contacts/phone/remove', { phone: String(otherId) })).status).toBe(404);
    expect(await audits(s.id)).toContain('phone_removed');
  });

  it('changes the e-mail only after the link sent to the new address; a forged or expired link is refused', async () => {
    const s = await subscriber();
    await reauth(s.agent);
    const bad = await contactsPost(s.agent, '/cabinet/profile/contacts/email', { email: 'not an address' });
    expect(bad.status).toBe(422);
    expect((await contactsPost(s.agent, '/cabinet/profile/contacts/email', { email: 'new@example.ru' })).status).toBe(303);
    const mail = lines('email.jsonl').at(-1)!;
    expect(mail.to).toBe('new@example.ru');
    expect(mail.headers).toMatchObject({ 'List-Unsubscribe': expect.stringMatching(/^<http:\/\/127\.0\.0\.1:3000\/unsubscribe\?token=\d+\.all\./), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    const link = /(http:\/\/127\.0\.0\.1:3000\/email\/confirm\?token=[\w-]+)/.exec(mail.text)![1];
    expect((await t.ctx.db('contracts').where({ id: s.id }).first()).email).toBe('old@example.ru');

    const visitor = request.agent(t.app);
    const forged = await visitor.get('/email/confirm?token=' + 'A'.repeat(43));
    expect(forged.status).toBe(410);
    expect(forged.text).toContain('Ссылка недействительна');
    const loginPage = await visitor.get('/login');
    const forgedPost = await visitor.post('/email/confirm').type('form').send({ _csrf: csrfFrom(loginPage.text), token: 'A'.repeat(43) });
    expect(forgedPost.status).toBe(410);

    const confirm = await visitor.get(link.replace('http://127.0.0.1:3000', ''));
    expect(confirm.status).toBe(200);
    expect((await t.ctx.db('contracts').where({ id: s.id }).first()).email).toBe('old@example.ru'); // a GET changes nothing
    const done = await visitor.post('/email/confirm').type('form').send({ _csrf: csrfFrom(confirm.text), token: new URL(link).searchParams.get('token') });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Адрес почты подтверждён');
    expect((await t.ctx.db('contracts').where({ id: s.id }).first()).email).toBe('new@example.ru');
    const toldOld = await t.ctx.db('outbox').where({ channel: 'email', recipient: 'old@example.ru', topic: 'account' });
    expect(toldOld).toHaveLength(1); // the old address told (queued for the worker)
    expect(toldOld[0].body).toContain('new@example.ru');
    expect(await audits(s.id)).toEqual(expect.arrayContaining(['email_link_sent', 'email_changed']));
    // used once
    const again = await visitor.post('/email/confirm').type('form').send({ _csrf: csrfFrom(confirm.text), token: new URL(link).searchParams.get('token') });
    expect(again.status).toBe(410);
    expect(await t.ctx.db('outbox').where({ recipient: 'old@example.ru', topic: 'account' })).toHaveLength(1); // told once
  });

  it('lets an e-mail link expire after 24 hours', async () => {
    const s = await subscriber();
    await reauth(s.agent);
    await contactsPost(s.agent, '/cabinet/profile/contacts/email', { email: 'late@example.ru' });
    const token = /token=([\w-]+)/.exec(lines('email.jsonl').at(-1)!.text)![1];
    t.clock.advance(24 * 3600_000 + 1);
    expect((await request(t.app).get(`/email/confirm?token=${token}`)).status).toBe(410);
  });
});

describe('subscriptions and one-click unsubscribe', () => {
  it('shows sensible defaults with marketing off, saves the grid and keeps the consent time of a marketing topic', async () => {
    const s = await subscriber();
    const page = await s.agent.get('/cabinet/profile/subscriptions');
    expect(page.text).toMatch(/name="low_balance.sms" value="1" checked/);
    expect(page.text).toMatch(/name="offers.sms" value="1">/);
    expect(page.text).toMatch(/name="news.email" value="1">/);
    const res = await s.agent.post('/cabinet/profile/subscriptions').type('form').send({ _csrf: csrfFrom(page.text), 'offers.email': '1', 'low_balance.cabinet': '1', 'maintenance.sms': '1' });
    expect(res.status).toBe(303);
    const offers = await t.ctx.db('subscriptions').where({ contract_id: s.id, topic: 'offers', channel: 'email' }).first();
    expect({ ...offers, enabled: Boolean(offers.enabled) }).toMatchObject({ enabled: true, consent_at: '2026-11-24T05:00:00.000Z' });
    // low balance by SMS is now off: a notice goes to the cabinet only
    await notify(t.ctx, t.ctx.db, { contractId: s.id, topic: 'low_balance', title: 'Мало денег', text: 'x' });
    expect(await t.ctx.db('outbox').where({ contract_id: s.id, topic: 'low_balance' })).toHaveLength(0);
    expect(await t.ctx.db('notifications').where({ contract_id: s.id, topic: 'low_balance' })).toHaveLength(1);
    // security notices go whatever the grid says
    await notify(t.ctx, t.ctx.db, { contractId: s.id, topic: 'account', title: 'Пароль изменён', text: 'x' });
    expect(await t.ctx.db('outbox').where({ contract_id: s.id, topic: 'account' })).toHaveLength(2);
  });

  it('puts List-Unsubscribe and List-Unsubscribe-Post on every e-mail; the one-click POST needs no session, a forged token is refused', async () => {
    const c = await makeContract(t.ctx, { phones: ['+79131234567'] });
    await t.ctx.db('contracts').where({ id: c.id }).update({ email: 'a@example.ru' });
    await notify(t.ctx, t.ctx.db, { contractId: c.id, topic: 'maintenance', title: 'Работы 26.11', text: 'С 2:00 до 4:00 не будет интернета.' });
    const mail = await t.ctx.db('outbox').where({ channel: 'email' }).first();
    const headers = JSON.parse(mail.headers);
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = /^<(http:\/\/127\.0\.0\.1:3000(\/unsubscribe\?token=[^>]+))>$/.exec(headers['List-Unsubscribe'])![2];
    expect(mail.body).toContain(url);

    const forged = await request(t.app).post(url.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'))).type('form').send('List-Unsubscribe=One-Click');
    expect(forged.status).toBe(303);
    expect((await request(t.app).get(forged.headers.location)).status).toBe(400);
    const other = await request(t.app).post(`/unsubscribe?token=${unsubscribeToken('another secret of 32 characters..', c.id, 'maintenance')}`).type('form').send('List-Unsubscribe=One-Click');
    expect((await request(t.app).get(other.headers.location)).status).toBe(400);
    expect(await t.ctx.db('subscriptions').where({ contract_id: c.id })).toHaveLength(0);

    const confirm = await request(t.app).get(url);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Отписаться');
    const res = await request(t.app).post(url).type('form').send('List-Unsubscribe=One-Click'); // no cookie, no CSRF token
    expect(res.status).toBe(303);
    expect(Boolean((await t.ctx.db('subscriptions').where({ contract_id: c.id, topic: 'maintenance', channel: 'email' }).first()).enabled)).toBe(false);
    expect((await request(t.app).get(res.headers.location)).text).toContain('больше не придут');
    await notify(t.ctx, t.ctx.db, { contractId: c.id, topic: 'maintenance', title: 'Работы 27.11', text: 'x' });
    expect(await t.ctx.db('outbox').where({ channel: 'email' })).toHaveLength(1);
  });
});

describe('notices', () => {
  it('lists the cabinet notices newest first and marks the unread; opening the page (a GET) reads none of them', async () => {
    const s = await subscriber();
    await notify(t.ctx, t.ctx.db, { contractId: s.id, topic: 'payments', title: 'Платёж зачислен', text: '500,00 ₽', link: '/cabinet/payments' });
    t.clock.advance(60_000);
    await notify(t.ctx, t.ctx.db, { contractId: s.id, topic: 'maintenance', title: 'Работы 26.11', text: 'ночью' });
    expect((await s.agent.get('/cabinet/profile')).text).toContain('новых: 2');
    const page = await s.agent.get('/cabinet/profile/notices');
    expect(page.text.indexOf('Работы 26.11')).toBeLessThan(page.text.indexOf('Платёж зачислен'));
    expect(page.text.match(/data-unread="1"/g)).toHaveLength(2);
    expect(page.text).toContain('href="/cabinet/payments"');
    // issue 9 point 18: a GET, e.g. a cross-site link, changes nothing
    const again = await s.agent.get('/cabinet/profile/notices');
    expect(again.text.match(/data-unread="1"/g)).toHaveLength(2);
    expect((await s.agent.get('/cabinet/profile/notices/read')).status).toBe(303);
    expect((await s.agent.get('/cabinet/profile/notices/read?notice=1')).status).toBe(303);
    expect(await t.ctx.db('notifications').where({ contract_id: s.id }).whereNull('read_at').count({ n: '*' }).first()).toEqual({ n: 2 });
    expect((await s.agent.get('/cabinet/profile')).text).toContain('новых: 2');
  });

  it('marks one notice read by «Отметить прочитанным», then all by «Отметить все прочитанными», with POST + 303; never another contract\'s', async () => {
    const s = await subscriber();
    const other = await makeContract(t.ctx);
    for (const title of ['Первое', 'Второе']) await notify(t.ctx, t.ctx.db, { contractId: s.id, topic: 'payments', title, text: title });
    await notify(t.ctx, t.ctx.db, { contractId: other.id, topic: 'payments', title: 'Чужое', text: 'чужое' });
    const [first] = await t.ctx.db('notifications').where({ contract_id: s.id, title: 'Первое' }).pluck('id');
    const [foreign] = await t.ctx.db('notifications').where({ contract_id: other.id }).pluck('id');
    const page = await s.agent.get('/cabinet/profile/notices');
    expect(page.text).toContain('Отметить все прочитанными');
    expect(page.text.match(/>Отметить прочитанным</g)).toHaveLength(2);

    const unread = async (contractId: number) => (await t.ctx.db('notifications').where({ contract_id: contractId }).whereNull('read_at').pluck('title')).sort();
    const noCsrf = await s.agent.post('/cabinet/profile/notices/read').type('form').send({ notice: String(first) });
    expect(noCsrf.status).toBe(403);
    expect(await unread(s.id)).toEqual(['Второе', 'Первое']);

    const one = await post(s.agent, '/cabinet/profile/notices', '/cabinet/profile/notices/read', { notice: String(first) });
    expect(one.status).toBe(303);
    expect(one.headers.location).toBe('/cabinet/profile/notices?ok=read');
    expect(await unread(s.id)).toEqual(['Второе']);
    expect((await s.agent.get('/cabinet/profile/notices?ok=read')).text).toContain('Уведомления отмечены прочитанными.');

    expect((await post(s.agent, '/cabinet/profile/notices', '/cabinet/profile/notices/read', { notice: String(foreign) })).status).toBe(303);
    expect(await unread(other.id)).toEqual(['Чужое']);
    expect((await post(s.agent, '/cabinet/profile/notices', '/cabinet/profile/notices/read', { notice: 'abc' })).status).toBe(422);
    expect(await unread(s.id)).toEqual(['Второе']);

    expect((await post(s.agent, '/cabinet/profile/notices', '/cabinet/profile/notices/read', {})).status).toBe(303);
    expect(await unread(s.id)).toEqual([]);
    expect(await unread(other.id)).toEqual(['Чужое']);
    expect((await s.agent.get('/cabinet/profile/notices')).text).not.toContain('Отметить все прочитанными');
  });

  it('marks notices read with htmx too: the #notices fragment comes back with the status', async () => {
    const s = await subscriber();
    await notify(t.ctx, t.ctx.db, { contractId: s.id, topic: 'payments', title: 'Первое', text: 'Первое' });
    const page = await s.agent.get('/cabinet/profile/notices');
    const r = await s.agent.post('/cabinet/profile/notices/read').set('HX-Request', 'true').set('X-CSRF-Token', csrfFrom(page.text)).type('form').send({});
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^\s*<div id="notices"/);
    expect(r.text).toContain('Уведомления отмечены прочитанными.');
    expect(r.text).not.toContain('data-unread');
  });
});

describe('sessions', () => {
  it('lists the devices signed in with browser, address and last seen; ends one, then all but this one', async () => {
    const c = await makeContract(t.ctx, { password: 'pw pw pw 1', phones: ['+79131234567'] });
    const login = async (ua: string) => {
      const agent = request.agent(t.app).set('User-Agent', ua);
      const page = await agent.get('/login');
      await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), contract: c.number, password: 'pw pw pw 1' });
      return agent;
    };
    const phone = await login('Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36');
    const laptop = await login('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0');
    const tablet = await login('Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1');
    const other = await makeContract(t.ctx, { password: 'pw pw pw 2' });
    await signIn(t.app, other.number, 'pw pw pw 2');

    const page = await laptop.get('/cabinet/profile/sessions');
    expect(page.text.match(/data-testid="session"/g)).toHaveLength(3);
    expect(page.text).toContain('Firefox 133, Windows');
    expect(page.text).toContain('Chrome 131, Android');
    expect(page.text).toContain('Safari 17, iOS');
    expect(page.text).toContain('Это устройство');
    expect(page.text).toMatch(/Адрес: (::ffff:)?127\.0\.0\.1/);
    expect(page.text).toContain('24.11.2026');

    const ids = [...page.text.matchAll(/name="session" value="([0-9a-f]{24})"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2); // not this one
    const forged = await laptop.post('/cabinet/profile/sessions/end').type('form').send({ _csrf: csrfFrom(page.text), session: 'f'.repeat(24) });
    expect(forged.status).toBe(404);
    const bad = await laptop.post('/cabinet/profile/sessions/end').type('form').send({ _csrf: csrfFrom(page.text), session: '<script>' });
    expect(bad.status).toBe(404);
    expect((await laptop.post('/cabinet/profile/sessions/end').type('form').send({ _csrf: csrfFrom(page.text), session: ids[0] })).status).toBe(303);
    const after = await laptop.get('/cabinet/profile/sessions');
    expect(after.text.match(/data-testid="session"/g)).toHaveLength(2);
    const stillIn = [(await phone.get('/cabinet')).status, (await tablet.get('/cabinet')).status].sort();
    expect(stillIn).toEqual([200, 303]);

    expect((await laptop.post('/cabinet/profile/sessions/end-others').type('form').send({ _csrf: csrfFrom(after.text) })).status).toBe(303);
    expect((await phone.get('/cabinet')).status).toBe(303);
    expect((await tablet.get('/cabinet')).status).toBe(303);
    expect((await laptop.get('/cabinet')).status).toBe(200);
    expect(await t.ctx.db('sessions').whereNotNull('contract_id').pluck('contract_id')).toEqual(expect.arrayContaining([c.id, other.id]));
    expect(await audits(c.id)).toEqual(expect.arrayContaining(['session_ended', 'sessions_ended']));
  });
});
