// «Сменить пароль» in the profile (issue 9 point 11, ASVS 6.2.2): the current password, the new one twice by the
// recovery rules; the other sessions end, this one stays under a new id; «Пароль изменён» goes out; audited.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(30_000); // bcrypt and the password list on a busy machine

type Agent = ReturnType<typeof request.agent>;
let t: TestApp;
let dir: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-password-'));
  t = await makeTestApp({ SMS_FILE: path.join(dir, 'sms.jsonl'), EMAIL_FILE: path.join(dir, 'email.jsonl') });
});
afterEach(() => t.close());

const OLD = 'old password 1';
const NEW = 'зелёный трамвай едет';
async function subscriber() {
  const c = await makeContract(t.ctx, { password: OLD, phones: ['+79131234567', '+79039876543'] });
  await t.ctx.db('contracts').where({ id: c.id }).update({ email: 'me@example.ru' });
  const { agent } = await signIn(t.app, c.number, OLD);
  return { ...c, agent };
}
async function change(agent: Agent, fields: Record<string, string>) {
  const page = await agent.get('/cabinet/profile/password');
  return agent.post('/cabinet/profile/password').type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}
const sidOf = (agent: Agent, res: request.Response) => /kabinet[^=]*=([^;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1] ?? null;
async function signInStatus(contract: string, password: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  return (await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), contract, password })).status;
}

describe('«Сменить пароль»', () => {
  it('is linked from the profile and the sessions pages and shows the three fields', async () => {
    const s = await subscriber();
    expect((await s.agent.get('/cabinet/profile')).text).toContain('href="/cabinet/profile/password"');
    expect((await s.agent.get('/cabinet/profile/sessions')).text).toContain('href="/cabinet/profile/password"');
    const page = await s.agent.get('/cabinet/profile/password');
    expect(page.status).toBe(200);
    expect(page.text).toContain('autocomplete="current-password"');
    expect(page.text.match(/autocomplete="new-password"/g)).toHaveLength(2);
    expect((await request(t.app).get('/cabinet/profile/password')).status).toBe(303); // signed out: to the sign-in page
  });

  it('changes the password: other sessions end, this one stays under a new id, «Пароль изменён» goes out, audited', async () => {
    const s = await subscriber();
    const other = await signIn(t.app, s.number, OLD);
    const before = (await t.ctx.db('sessions').where({ contract_id: s.id }).pluck('sid')).sort();
    expect(before).toHaveLength(2);

    const r = await change(s.agent, { current: OLD, password: NEW, password2: NEW });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/cabinet/profile?ok=passwordChanged');
    const after = await t.ctx.db('sessions').where({ contract_id: s.id }).pluck('sid');
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]); // this session under a new id
    expect(sidOf(s.agent, r)).not.toBeNull();

    const profile = await s.agent.get('/cabinet/profile?ok=passwordChanged');
    expect(profile.status).toBe(200); // still signed in
    expect(profile.text).toContain('Пароль изменён.');
    expect((await other.agent.get('/cabinet')).status).toBe(303); // the other device is out

    expect(await signInStatus(s.number, OLD)).toBe(401);
    expect(await signInStatus(s.number, NEW)).toBe(303);

    const sms = await t.ctx.db('outbox').where({ contract_id: s.id, topic: 'account', channel: 'sms' }).pluck('recipient');
    expect(sms.sort()).toEqual(['+79039876543', '+79131234567']);
    expect(await t.ctx.db('outbox').where({ contract_id: s.id, topic: 'account', channel: 'email' }).pluck('recipient')).toEqual(['me@example.ru']);
    const notice = await t.ctx.db('notifications').where({ contract_id: s.id, topic: 'account' }).first('title', 'body');
    expect(notice.title).toBe('Пароль изменён');
    expect(notice.body).toContain('Если это были не вы');
    expect(await t.ctx.db('audit_log').where({ contract_id: s.id, action: 'password_changed' })).toHaveLength(1);
  });

  it('keeps «Запомнить» across the new session id: the cookie keeps its expiry', async () => {
    const c = await makeContract(t.ctx, { password: OLD, phones: ['+79131234567'] });
    const { agent, res } = await signIn(t.app, c.number, OLD, true);
    const expiresAt = /Expires=([^;]+)/.exec(String(res.headers['set-cookie']))![1];
    const r = await change(agent, { current: OLD, password: NEW, password2: NEW });
    expect(r.status).toBe(303);
    expect(String(r.headers['set-cookie'])).toContain(`Expires=${expiresAt}`);
    expect((await agent.get('/cabinet/profile')).status).toBe(200);
  });

  it.each([
    ['a wrong current password', { current: 'not my password', password: NEW, password2: NEW }, 401, 'current', 'Нынешний пароль введён неверно'],
    ['new passwords that differ', { current: OLD, password: NEW, password2: 'зелёный трамвай' }, 422, 'password2', 'Пароли не совпадают'],
    ['a too short new password', { current: OLD, password: 'корот', password2: 'корот' }, 422, 'password', 'не короче 8'],
    ['a common new password', { current: OLD, password: 'пароль123', password2: 'пароль123' }, 422, 'password', 'слишком распространён'],
    ['the demo password', { current: OLD, password: 'centra2026', password2: 'centra2026' }, 422, 'password', 'номер договора'],
    ['an empty current password', { current: '', password: NEW, password2: NEW }, 422, 'current', 'Введите пароль'],
  ])('refuses %s with a Russian message beside the field and changes nothing', async (_name, fields, status, field, message) => {
    const s = await subscriber();
    const other = await signIn(t.app, s.number, OLD);
    const hashBefore = (await t.ctx.db('contracts').where({ id: s.id }).first('password_hash')).password_hash;
    const r = await change(s.agent, fields);
    expect(r.status).toBe(status);
    expect(r.text).toContain(`id="${field}-error"`);
    expect(r.text).toContain(message);
    expect(r.text).not.toContain(NEW); // never echoes a password
    expect((await t.ctx.db('contracts').where({ id: s.id }).first('password_hash')).password_hash).toBe(hashBefore);
    expect((await other.agent.get('/cabinet')).status).toBe(200);
    expect(await t.ctx.db('notifications').where({ contract_id: s.id, topic: 'account' })).toHaveLength(0);
  });

  it('refuses a POST without the CSRF token (403) and changes nothing', async () => {
    const s = await subscriber();
    const hashBefore = (await t.ctx.db('contracts').where({ id: s.id }).first('password_hash')).password_hash;
    const r = await s.agent.post('/cabinet/profile/password').type('form').send({ current: OLD, password: NEW, password2: NEW });
    expect(r.status).toBe(403);
    const hx = await s.agent.post('/cabinet/profile/password').set('HX-Request', 'true').type('form').send({ current: OLD, password: NEW, password2: NEW });
    expect(hx.status).toBe(403);
    expect((await t.ctx.db('contracts').where({ id: s.id }).first('password_hash')).password_hash).toBe(hashBefore);
  });

  it('counts wrong current passwords with the contacts re-check: past the sign-in limit even the right one waits', async () => {
    const s = await subscriber();
    const limit = t.ctx.config.login.maxFailsPerContractNetwork; // the sign-in guard's limit for one network (src/auth/guard.ts)
    const hashBefore = (await t.ctx.db('contracts').where({ id: s.id }).first('password_hash')).password_hash;
    for (let i = 0; i < limit; i += 1) {
      const r = await (i % 2 ? change(s.agent, { current: `wrong ${i}`, password: NEW, password2: NEW })
        : s.agent.get('/cabinet/profile/contacts').then((p) => s.agent.post('/cabinet/profile/contacts/reauth').type('form').send({ _csrf: csrfFrom(p.text), password: `wrong ${i}` })));
      expect(r.status).toBe(401);
    }
    const r = await change(s.agent, { current: OLD, password: NEW, password2: NEW });
    expect(r.status).toBe(429);
    expect(r.text).toContain('Слишком много неверных паролей');
    // the password did not change (signing in from this network waits too: the same counters)
    expect((await t.ctx.db('contracts').where({ id: s.id }).first('password_hash')).password_hash).toBe(hashBefore);
    expect(await signInStatus(s.number, OLD)).toBe(429);
  });

  it('works with htmx: errors come back in the #change-password fragment with their status, success answers HX-Redirect', async () => {
    const s = await subscriber();
    const page = await s.agent.get('/cabinet/profile/password');
    const hx = (fields: object) => s.agent.post('/cabinet/profile/password').set('HX-Request', 'true').set('X-CSRF-Token', csrfFrom(page.text)).type('form').send(fields);
    const bad = await hx({ current: OLD, password: NEW, password2: 'другой пароль 2' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/^\s*<div id="change-password"/);
    expect(bad.text).not.toContain('<html');
    expect(bad.text).toContain('Пароли не совпадают');
    const ok = await hx({ current: OLD, password: NEW, password2: NEW });
    expect(ok.status).toBe(200);
    expect(ok.headers['hx-redirect']).toBe('/cabinet/profile?ok=passwordChanged');
    expect((await s.agent.get('/cabinet/profile')).status).toBe(200);
  });
});
