// «Профиль» with htmx: each change answers its section's fragment (200 with the status, 4xx with the error inside),
// the htmx request carries its CSRF token in X-CSRF-Token or is refused; and the dashboard's unread notices.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { UNREAD_SQL } from '../../src/cabinet/queries';
import { inTransaction, rawRows } from '../../src/db';
import { notify } from '../../src/notifications/notify';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { onPostgres } from '../support/engine';
import { makeContract } from '../support/factories';

type Agent = ReturnType<typeof request.agent>;
let t: TestApp;
let dir: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-profile-htmx-'));
  t = await makeTestApp({ SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_FILE: path.join(dir, 'email.jsonl') });
});
afterEach(() => t.close());

const smsTo = (to: string) =>
  (fs.existsSync(path.join(dir, 'sms.jsonl')) ? fs.readFileSync(path.join(dir, 'sms.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { to: string; text: string }) : [])
    .filter((m) => m.to === to);

async function subscriber(password = 'old password 1') {
  const c = await makeContract(t.ctx, { password, phones: ['+79131234567'] });
  const { agent } = await signIn(t.app, c.number, password);
  return { ...c, agent };
}
/** The token htmx sends: the page's hx-headers on <body> carries the same session token as the forms. */
async function tokenOf(agent: Agent, url: string): Promise<string> {
  const page = await agent.get(url);
  const m = /hx-headers='\{"X-CSRF-Token": "([^"]+)"\}'/.exec(page.text);
  expect(m).not.toBeNull();
  expect(m![1]).toBe(csrfFrom(page.text));
  return m![1];
}
/** A POST the way htmx sends it: HX-Request, the token in the header, the form fields (without _csrf). */
const hxPost = (agent: Agent, url: string, token: string | null, fields: object) => {
  const r = agent.post(url).type('form').set('HX-Request', 'true');
  if (token) r.set('X-CSRF-Token', token);
  return r.send(fields);
};
const isFragment = (html: string, id: string) => html.trimStart().startsWith(`<div id="${id}"`) && !html.includes('<html');

describe('subscriptions with htmx', () => {
  it('answers the grid fragment with «сохранены» (role=status) and keeps the choice; the page still gets a 303 without htmx', async () => {
    const s = await subscriber();
    const token = await tokenOf(s.agent, '/cabinet/profile/subscriptions');
    const res = await hxPost(s.agent, '/cabinet/profile/subscriptions', token, { 'news.sms': '1', 'maintenance.cabinet': '1' });
    expect(res.status).toBe(200);
    expect(isFragment(res.text, 'subscriptions')).toBe(true);
    expect(res.text).toMatch(/role="status"[^>]*>Настройки сохранены\./);
    expect(res.headers.vary).toMatch(/HX-Request/i);
    expect(res.text).toMatch(/id="news-sms" name="news.sms" value="1" checked/);
    expect(res.text).not.toMatch(/id="maintenance-sms" name="maintenance.sms" value="1" checked/);
    const page = await s.agent.get('/cabinet/profile/subscriptions');
    expect(page.text).toContain('<html');
    expect(page.text).toMatch(/id="news-sms" name="news.sms" value="1" checked/);
    expect(page.text).not.toContain('Настройки сохранены');
    const plain = await s.agent.post('/cabinet/profile/subscriptions').type('form').send({ _csrf: csrfFrom(page.text), 'news.email': '1' });
    expect(plain.status).toBe(303);
    expect(plain.headers.location).toBe('/cabinet/profile/subscriptions?ok=saved');
  });

  it('refuses an htmx POST without the X-CSRF-Token header (even with the _csrf field) with 403 and changes nothing', async () => {
    const s = await subscriber();
    const token = await tokenOf(s.agent, '/cabinet/profile/subscriptions');
    const noHeader = await hxPost(s.agent, '/cabinet/profile/subscriptions', null, { _csrf: token, 'offers.sms': '1' });
    expect(noHeader.status).toBe(403);
    expect(noHeader.text).not.toContain('<html');
    expect(noHeader.text).toContain('Страница устарела');
    const wrong = await hxPost(s.agent, '/cabinet/profile/subscriptions', 'x'.repeat(token.length), { 'offers.sms': '1' });
    expect(wrong.status).toBe(403);
    expect(await t.ctx.db('subscriptions').where({ contract_id: s.id })).toHaveLength(0);
  });
});

describe('sessions with htmx', () => {
  it('ends another session of the same contract and answers the list; another contract’s session cannot be ended', async () => {
    const s = await subscriber('pw pw pw 1');
    const second = (await signIn(t.app, s.number, 'pw pw pw 1')).agent;
    const other = await makeContract(t.ctx, { password: 'pw pw pw 2' });
    const stranger = (await signIn(t.app, other.number, 'pw pw pw 2')).agent;
    const strangerPage = await stranger.get('/cabinet/profile/sessions');
    expect(strangerPage.text.match(/data-testid="session"/g)).toHaveLength(1);
    // the stranger's own session id (hashed as the page names sessions) is not on their page: it is the current one
    const strangerSecond = (await signIn(t.app, other.number, 'pw pw pw 2')).agent;
    const strangerIds = [...(await strangerSecond.get('/cabinet/profile/sessions')).text.matchAll(/name="session" value="([0-9a-f]{24})"/g)].map((m) => m[1]);
    expect(strangerIds).toHaveLength(1); // the stranger's first session, as its owner's other device sees it

    const token = await tokenOf(s.agent, '/cabinet/profile/sessions');
    const foreign = await hxPost(s.agent, '/cabinet/profile/sessions/end', token, { session: strangerIds[0] });
    expect(foreign.status).toBe(404);
    expect(isFragment(foreign.text, 'sessions')).toBe(true);
    expect(foreign.text).toContain('Такого сеанса уже нет');
    expect((await stranger.get('/cabinet')).status).toBe(200);

    const mine = [...(await s.agent.get('/cabinet/profile/sessions')).text.matchAll(/name="session" value="([0-9a-f]{24})"/g)].map((m) => m[1]);
    expect(mine).toHaveLength(1);
    const ended = await hxPost(s.agent, '/cabinet/profile/sessions/end', token, { session: mine[0] });
    expect(ended.status).toBe(200);
    expect(isFragment(ended.text, 'sessions')).toBe(true);
    expect(ended.text).toContain('Сеанс завершён');
    expect(ended.text.match(/data-testid="session"/g)).toHaveLength(1);
    expect((await second.get('/cabinet')).status).toBe(303);
    expect((await stranger.get('/cabinet')).status).toBe(200);
    expect((await s.agent.get('/cabinet')).status).toBe(200);
  });

  it('ends all the others with htmx and answers the list with only this device', async () => {
    const s = await subscriber('pw pw pw 1');
    const second = (await signIn(t.app, s.number, 'pw pw pw 1')).agent;
    const token = await tokenOf(s.agent, '/cabinet/profile/sessions');
    const res = await hxPost(s.agent, '/cabinet/profile/sessions/end-others', token, {});
    expect(res.status).toBe(200);
    expect(res.text).toContain('Все другие сеансы завершены');
    expect(res.text.match(/data-testid="session"/g)).toHaveLength(1);
    expect((await second.get('/cabinet')).status).toBe(303);
  });
});

describe('contacts with htmx', () => {
  it('swaps #contacts through every step: wrong password, password, bad phone, code, confirmed; e-mail link; removal', async () => {
    const s = await subscriber();
    let token = await tokenOf(s.agent, '/cabinet/profile/contacts');
    const wrong = await hxPost(s.agent, '/cabinet/profile/contacts/reauth', token, { password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(isFragment(wrong.text, 'contacts')).toBe(true);
    expect(wrong.text).toContain('Неверный пароль');
    const sneak = await hxPost(s.agent, '/cabinet/profile/contacts/phone', token, { phone: '+79051112233' });
    expect(sneak.status).toBe(401);
    expect(sneak.text).toContain('data-step="reauth"');
    expect(await t.ctx.db('contact_changes')).toHaveLength(0);

    // the password again gives a new session id and CSRF token: htmx loads the page again (HX-Redirect)
    const reauthed = await hxPost(s.agent, '/cabinet/profile/contacts/reauth', token, { password: 'old password 1' });
    expect(reauthed.status).toBe(200);
    expect(reauthed.headers['hx-redirect']).toBe('/cabinet/profile/contacts?focus=phones');
    expect((await hxPost(s.agent, '/cabinet/profile/contacts/phone', token, { phone: '+79051112233' })).status).toBe(403);
    token = await tokenOf(s.agent, '/cabinet/profile/contacts');
    const open = await s.agent.get('/cabinet/profile/contacts').set('HX-Request', 'true');
    expect(isFragment(open.text, 'contacts')).toBe(true);
    expect(open.text).toContain('data-step="contacts"');
    expect(open.text).toContain('+7 (913) 123-45-67');

    const bad = await hxPost(s.agent, '/cabinet/profile/contacts/phone', token, { phone: '12345' });
    expect(bad.status).toBe(422);
    expect(isFragment(bad.text, 'contacts')).toBe(true);
    expect(bad.text).toContain('Введите номер телефона');
    expect(bad.text).toContain('value="12345"');

    const sent = await hxPost(s.agent, '/cabinet/profile/contacts/phone', token, { phone: '8 905 111-22-33' });
    expect(sent.status).toBe(200);
    expect(sent.text).toContain('Код отправлен по SMS.');
    const change = /name="change" value="(\d+)"/.exec(sent.text)![1];
    const code = /(\d{6})/.exec(smsTo('+79051112233').at(-1)!.text)![1];
    const wrongCode = await hxPost(s.agent, '/cabinet/profile/contacts/phone/confirm', token, { change, code: code === '000000' ? '111111' : '000000' });
    expect(wrongCode.status).toBe(422);
    expect(wrongCode.text).toContain('Неверный код');
    const added = await hxPost(s.agent, '/cabinet/profile/contacts/phone/confirm', token, { change, code });
    expect(added.status).toBe(200);
    expect(added.text).toContain('Телефон добавлен.');
    expect(added.text).toContain('+7 (905) 111-22-33');
    expect(await t.ctx.db('contract_phones').where({ contract_id: s.id }).orderBy('id').pluck('phone')).toEqual(['+79131234567', '+79051112233']);

    const email = await hxPost(s.agent, '/cabinet/profile/contacts/email', token, { email: 'new@example.ru' });
    expect(email.status).toBe(200);
    expect(email.text).toContain('Письмо со ссылкой отправлено.');
    expect(email.text).toContain('new@example.ru');

    const phoneId = (await t.ctx.db('contract_phones').where({ contract_id: s.id, phone: '+79051112233' }).first('id')).id as number;
    const removed = await hxPost(s.agent, '/cabinet/profile/contacts/phone/remove', token, { phone: String(phoneId) });
    expect(removed.status).toBe(200);
    expect(removed.text).toContain('Телефон удалён.');
    const lastId = (await t.ctx.db('contract_phones').where({ contract_id: s.id }).first('id')).id as number;
    const last = await hxPost(s.agent, '/cabinet/profile/contacts/phone/remove', token, { phone: String(lastId) });
    expect(last.status).toBe(409);
    expect(isFragment(last.text, 'contacts')).toBe(true);
    expect(last.text).toContain('Последний телефон удалить нельзя');
  });
});

describe('notices on the dashboard', () => {
  it('shows the 3 newest unread notices with a link to all, not on the balance refresh; read ones go away', async () => {
    const s = await subscriber();
    const none = await s.agent.get('/cabinet');
    expect(none.text).not.toContain('data-testid="dashboard-notices"');
    for (const title of ['Первое', 'Второе', 'Третье', 'Четвёртое']) {
      await notify(t.ctx, t.ctx.db, { contractId: s.id, topic: 'payments', title, text: `Текст: ${title}`, link: '/cabinet/payments' });
      t.clock.advance(60_000);
    }
    const other = await makeContract(t.ctx);
    await notify(t.ctx, t.ctx.db, { contractId: other.id, topic: 'payments', title: 'Чужое', text: 'чужой договор' });

    const page = await s.agent.get('/cabinet');
    expect(page.text.match(/data-testid="dashboard-notice"/g)).toHaveLength(3);
    expect(page.text.indexOf('Четвёртое')).toBeLessThan(page.text.indexOf('Третье'));
    expect(page.text.indexOf('Третье')).toBeLessThan(page.text.indexOf('Второе'));
    expect(page.text).not.toContain('Первое');
    expect(page.text).not.toContain('Чужое');
    expect(page.text).toContain('<a href="/cabinet/profile/notices">Все уведомления</a>');
    // shown, not read: they stay until the notices page is opened
    expect((await s.agent.get('/cabinet')).text.match(/data-testid="dashboard-notice"/g)).toHaveLength(3);

    const balance = await s.agent.get('/cabinet/balance').set('HX-Request', 'true');
    expect(balance.status).toBe(200);
    expect(balance.text).not.toContain('dashboard-notice');

    await s.agent.get('/cabinet/profile/notices'); // opening the page reads nothing (issue 9 point 18) ...
    expect((await s.agent.get('/cabinet')).text).toContain('data-testid="dashboard-notices"');
    const notices = await s.agent.get('/cabinet/profile/notices'); // ... «Отметить все прочитанными» does
    await s.agent.post('/cabinet/profile/notices/read').type('form').send({ _csrf: csrfFrom(notices.text) });
    expect((await s.agent.get('/cabinet')).text).not.toContain('data-testid="dashboard-notices"');
  });

  it('says «Пароль изменён. Вы вошли в кабинет.» on /cabinet?recovered=1 only', async () => {
    const s = await subscriber();
    const after = await s.agent.get('/cabinet?recovered=1');
    expect(after.text).toMatch(/role="status"[^>]*>Пароль изменён\. Вы вошли в кабинет\./);
    expect((await s.agent.get('/cabinet')).text).not.toContain('Вы вошли в кабинет');
    expect((await s.agent.get('/cabinet?recovered=2')).text).not.toContain('Вы вошли в кабинет');
  });

  it('reads the unread notices through the partial index, in its order (no sort, no scan of the table)', async () => {
    if (onPostgres()) {
      // an empty table is scanned whatever the indexes: the planner is told to avoid that, then must need no sort
      const plan = await inTransaction(t.ctx.db, async (trx) => {
        await trx.raw('set local enable_seqscan = off');
        return rawRows<{ 'QUERY PLAN': string }>(trx, `explain ${UNREAD_SQL}`, [1]);
      });
      const details = plan.map((p) => p['QUERY PLAN']).join(' | ');
      expect(details).toContain('notifications_unread_idx');
      expect(details).not.toMatch(/\bSort\b/);
      return;
    }
    const plan = await rawRows<{ detail: string }>(t.ctx.db, `explain query plan ${UNREAD_SQL}`, [1]);
    const details = plan.map((p) => p.detail).join(' | ');
    expect(details).toContain('notifications_unread_idx');
    expect(details).not.toMatch(/TEMP B-TREE|SCAN notifications\b(?! USING)/);
  });
});
