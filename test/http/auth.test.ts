import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { onPostgres, openTestDb } from '../support/engine';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

async function postLogin(agent: ReturnType<typeof request.agent>, fields: Record<string, string>) {
  const page = await agent.get('/login');
  return agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}

const sidOf = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('kabinet.sid='));

describe('signing in', () => {
  it('shows the sign-in page with its fields, the switch and the recovery link', async () => {
    const res = await request(t.app).get('/login');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<label for="contract">Номер договора</label>');
    expect(res.text).toContain('<label for="password">Пароль</label>');
    expect(res.text).toContain('Запомнить');
    expect(res.text).toContain('>Войти</button>');
    expect(res.text).toContain('href="/recover">Не помните пароль?</a>');
  });

  it('lets the subscriber in with the contract number and password and opens the cabinet', async () => {
    const c = await makeContract(t.ctx, { number: '100777', password: 'верный пароль' });
    const { agent, res } = await signIn(t.app, c.number, 'верный пароль');
    expect(res.headers.location).toBe('/cabinet');
    const page = await agent.get('/cabinet');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Договор №\u00a0100777');
  });

  it('gives one message for a wrong password and for an unknown contract', async () => {
    const c = await makeContract(t.ctx);
    const wrong = await postLogin(request.agent(t.app), { contract: c.number, password: 'не тот' });
    const unknown = await postLogin(request.agent(t.app), { contract: '999999', password: 'не тот' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.text).toContain('Неверный номер договора или пароль');
    }
    expect(wrong.text.replace(/name="_csrf" value="[^"]+"/, '')).toEqual(unknown.text.replace(/name="_csrf" value="[^"]+"/, '').replace('999999', c.number));
  });

  it('keeps the typed contract number but never the password', async () => {
    const res = await postLogin(request.agent(t.app), { contract: '123456', password: 'секрет-который-не-вернётся' });
    expect(res.text).toContain('value="123456"');
    expect(res.text).not.toContain('секрет-который-не-вернётся');
  });

  it('answers a contract number with letters with a clear 422 and signs no one in', async () => {
    const res = await postLogin(request.agent(t.app), { contract: '10000a', password: 'x' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Номер договора состоит только из цифр');
    expect(await t.ctx.db('audit_log').where({ action: 'login' }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('answers a 10 KB password with a clear 422 without hashing it', async () => {
    const c = await makeContract(t.ctx);
    const res = await postLogin(request.agent(t.app), { contract: c.number, password: 'я'.repeat(5000) });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Пароль слишком длинный');
  });

  it('counts every character of a long Cyrillic passphrase, past bcrypt\u2019s 72 bytes', async () => {
    const long = 'очень длинная кириллическая парольная фраза для проверки хеша и ещё немного слов';
    const c = await makeContract(t.ctx, { password: long + ' один' });
    expect(Buffer.byteLength(long)).toBeGreaterThan(72);
    expect((await postLogin(request.agent(t.app), { contract: c.number, password: long + ' два' })).status).toBe(401);
    expect((await postLogin(request.agent(t.app), { contract: c.number, password: long + ' один' })).status).toBe(303);
  });

  it('replaces the session id at sign-in', async () => {
    const c = await makeContract(t.ctx);
    const { agent, res: first } = await signIn(t.app, c.number, c.password);
    const before = sidOf(first);
    // signing in again from a signed-in browser gets another id too
    const page = await agent.get('/cabinet');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), contract: c.number, password: c.password });
    const after = sidOf(res);
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after!.split(';')[0]).not.toBe(before!.split(';')[0]);
    // the old id no longer opens anything
    const old = await request(t.app).get('/cabinet').set('Cookie', before!.split(';')[0]);
    expect(old.status).toBe(303);
  });

  it('without «Запомнить» sets a browser-session cookie and ends the session after 30 idle minutes', async () => {
    const c = await makeContract(t.ctx);
    const { agent, res } = await signIn(t.app, c.number, c.password);
    const cookie = sidOf(res)!;
    expect(cookie).not.toMatch(/Expires=|Max-Age=/i);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    t.clock.advance(29 * 60_000);
    expect((await agent.get('/cabinet')).status).toBe(200);
    t.clock.advance(29 * 60_000); // active 29 minutes ago: still in
    expect((await agent.get('/cabinet')).status).toBe(200);
    t.clock.advance(31 * 60_000);
    const expired = await agent.get('/cabinet');
    expect(expired.status).toBe(303);
    expect(expired.headers.location).toBe('/login?expired=1');
    const login = await agent.get('/login?expired=1');
    expect(login.text).toContain('Сеанс завершён');
  });

  it('with «Запомнить» keeps the subscriber in for 30 days, idle or not', async () => {
    const c = await makeContract(t.ctx);
    const { agent, res } = await signIn(t.app, c.number, c.password, true);
    const expires = /Expires=([^;]+)/i.exec(sidOf(res)!)?.[1];
    expect(expires).toBeDefined();
    const days = (new Date(expires!).getTime() - t.clock.now().getTime()) / 86_400_000; // the app's clock decides
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    t.clock.advance(5 * 86_400_000);
    expect((await agent.get('/cabinet')).status).toBe(200);
  });

  it('marks the cookie Secure behind a TLS proxy', async () => {
    const tls = await makeTestApp({ TRUST_PROXY: 'loopback' });
    const c = await makeContract(tls.ctx);
    const login = async (proto?: string) => {
      const agent = request.agent(tls.app);
      const page = await agent.get('/login').set('X-Forwarded-Proto', proto ?? 'http');
      return agent.post('/login').set('X-Forwarded-Proto', proto ?? 'http').type('form').send({ _csrf: csrfFrom(page.text), contract: c.number, password: c.password });
    };
    expect(sidOf(await login('https'))).toMatch(/; Secure/);
    expect(sidOf(await login())).not.toMatch(/; Secure/);
    await tls.close();
  });

  it('«Выйти» ends the session on the server', async () => {
    const c = await makeContract(t.ctx);
    const { agent, res } = await signIn(t.app, c.number, c.password);
    const sid = sidOf(res)!.split(';')[0];
    const page = await agent.get('/cabinet');
    const out = await agent.post('/logout').type('form').send({ _csrf: csrfFrom(page.text) });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/login?bye=1');
    expect(await t.ctx.db('sessions').count({ n: '*' }).first()).toEqual({ n: 0 });
    expect((await agent.get('/login?bye=1')).text).toContain('Вы вышли из личного кабинета.');
    // the same cookie, replayed, opens nothing
    expect((await request(t.app).get('/cabinet').set('Cookie', sid)).status).toBe(303);
  });

  it('goes back to the page that asked for sign-in, but never to another site', async () => {
    const c = await makeContract(t.ctx);
    const agent = request.agent(t.app);
    expect((await agent.get('/cabinet/payments')).headers.location).toBe('/login?next=%2Fcabinet%2Fpayments');
    const res = await postLogin(agent, { contract: c.number, password: c.password, next: '/cabinet/payments' });
    expect(res.headers.location).toBe('/cabinet/payments');
    const evil = await postLogin(request.agent(t.app), { contract: c.number, password: c.password, next: '//evil.example/' });
    expect(evil.headers.location).toBe('/cabinet');
  });
});

describe('limits on sign-in attempts', () => {
  it('stops a network after too many failures on a contract, even with the right password, and says when to retry', async () => {
    const limited = await makeTestApp({ LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK: '3' });
    const c = await makeContract(limited.ctx);
    for (let i = 0; i < 3; i++) expect((await postLogin(request.agent(limited.app), { contract: c.number, password: 'нет' })).status).toBe(401);
    const res = await postLogin(request.agent(limited.app), { contract: c.number, password: c.password });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.text).toContain('Слишком много неудачных попыток входа. Попробуйте снова через 15 минут.');
    await limited.close();
  });

  it('counts parallel guesses before checking them: no more passwords are checked than the limit', async () => {
    const limited = await makeTestApp({ LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK: '3' });
    try {
      const c = await makeContract(limited.ctx);
      const agents = await Promise.all(Array.from({ length: 20 }, async () => {
        const agent = request.agent(limited.app);
        return { agent, csrf: csrfFrom((await agent.get('/login')).text) };
      }));
      const codes = await Promise.all(agents.map(({ agent, csrf }) => agent.post('/login').type('form').send({ _csrf: csrf, contract: c.number, password: 'нет' }).then((r) => r.status)));
      expect(codes.filter((s) => s === 401)).toHaveLength(3);
      expect(codes.filter((s) => s === 429)).toHaveLength(17);
      expect(await limited.ctx.db('audit_log').where({ action: 'login_failed' })).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });

  it('stops an address that tries many contracts', async () => {
    const limited = await makeTestApp({ LOGIN_MAX_FAILS_PER_ADDRESS: '4' });
    const c = await makeContract(limited.ctx);
    for (let i = 0; i < 4; i++) await postLogin(request.agent(limited.app), { contract: String(300000 + i), password: 'нет' });
    expect((await postLogin(request.agent(limited.app), { contract: c.number, password: c.password })).status).toBe(429);
    await limited.close();
  });

  it('forgets the failures of a contract after a successful sign-in', async () => {
    const limited = await makeTestApp({ LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK: '3' });
    const c = await makeContract(limited.ctx);
    for (let i = 0; i < 2; i++) await postLogin(request.agent(limited.app), { contract: c.number, password: 'нет' });
    expect((await postLogin(request.agent(limited.app), { contract: c.number, password: c.password })).status).toBe(303);
    for (let i = 0; i < 2; i++) await postLogin(request.agent(limited.app), { contract: c.number, password: 'нет' });
    expect((await postLogin(request.agent(limited.app), { contract: c.number, password: c.password })).status).toBe(303);
    await limited.close();
  });

  it('keeps the counters in the database, so a restart does not reset them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-'));
    const shared = onPostgres() ? await openTestDb() : null; // PostgreSQL: a second database on the test server
    const target = shared ? shared.url : path.join(dir, 'k.sqlite');
    const first = await makeTestApp({ LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK: '2' });
    await first.close();
    // the same database, opened by two app instances one after the other
    const { openDb, migrate } = await import('../../src/db');
    const db1 = openDb(target);
    await migrate(db1);
    const ctx1 = { ...first.ctx, db: db1 };
    const c = await makeContract(ctx1);
    for (let i = 0; i < 2; i++) await postLogin(request.agent(createApp(ctx1)), { contract: c.number, password: 'нет' });
    await db1.destroy();
    const db2 = openDb(target);
    const app2 = createApp({ ...first.ctx, db: db2 });
    expect((await postLogin(request.agent(app2), { contract: c.number, password: c.password })).status).toBe(429);
    await db2.destroy();
    await shared?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('forged and broken requests', () => {
  it('refuses a sign-in without a csrf token, or with a forged one, in Russian and without signing in', async () => {
    const c = await makeContract(t.ctx);
    const agent = request.agent(t.app);
    await agent.get('/login');
    const missing = await agent.post('/login').type('form').send({ contract: c.number, password: c.password });
    const forged = await agent.post('/login').type('form').send({ _csrf: 'forged', contract: c.number, password: c.password });
    for (const res of [missing, forged]) {
      expect(res.status).toBe(403);
      expect(res.text).toContain('Страница устарела');
    }
    expect(await t.ctx.db('audit_log').where({ action: 'login' }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect((await agent.get('/cabinet')).status).toBe(303);
  });

  it('refuses a 1 MB form with a Russian 413 page', async () => {
    const res = await request(t.app).post('/login').type('form').send({ contract: '1', password: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.text).toContain('Слишком большой запрос');
  });

  it('treats a malformed session cookie as no session', async () => {
    for (const cookie of ['kabinet.sid=%E0%A4%A', 'kabinet.sid=s%3Aforged.signature', 'kabinet.sid=' + 'x'.repeat(4000)]) {
      const res = await request(t.app).get('/cabinet').set('Cookie', cookie);
      expect(res.status).toBe(303);
      expect((await request(t.app).get('/login').set('Cookie', cookie)).status).toBe(200);
    }
  });
});

describe('csrf for htmx', () => {
  it('takes the token from the X-CSRF-Token header on an htmx request, and only from there', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await signIn(t.app, c.number, c.password);
    const page = await agent.get('/cabinet');
    const token = /"X-CSRF-Token": "([^"]+)"/.exec(page.text)![1];
    expect(token).toBe(csrfFrom(page.text));
    const bodyOnly = await agent.post('/logout').set('HX-Request', 'true').type('form').send({ _csrf: token });
    expect(bodyOnly.status).toBe(403);
    const header = await agent.post('/logout').set('HX-Request', 'true').set('X-CSRF-Token', token).type('form').send({});
    expect(header.status).toBe(303);
  });
});
