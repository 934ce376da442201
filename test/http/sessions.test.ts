// Issue 9, points 9 (the production cookie), 10 (absolute session lifetime), 13 (a new id after the password is
// entered again) and 16 (visitors write no session rows: the CSRF token of an anonymous form needs no session).
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { openTestDb } from '../support/engine';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

jest.setTimeout(60_000);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const cookies = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
const cookieOf = (res: request.Response, name: string) => cookies(res).find((c) => c.startsWith(`${name}=`));
const sessionRows = async () => Number((await t.ctx.db('sessions').count({ n: '*' }).first())?.n ?? 0);
const storeExpiry = async (cookie: string) => {
  const sid = decodeURIComponent(cookie.split(';')[0].split('=')[1]).replace(/^s:/, '').replace(/\.[^.]*$/, '');
  return (await t.ctx.db('sessions').where({ sid }).first('expired', 'sess')) as { expired: string; sess: string | object } | undefined;
};
/** A session row's data: JSON text on SQLite, parsed already on PostgreSQL (a json column). */
const sessOf = (row: { sess: string | object } | undefined) => (typeof row!.sess === 'string' ? JSON.parse(row!.sess) : row!.sess);

describe('visitors cannot grow the sessions table', () => {
  it('leaves no session row after 200 anonymous GETs of /login, /recover, /connect and /feedback', async () => {
    for (let i = 0; i < 50; i++) {
      for (const url of ['/login', '/recover', '/connect', '/feedback']) {
        const res = await request(t.app).get(url);
        expect(res.status).toBe(200);
        expect(cookieOf(res, 'kabinet.sid')).toBeUndefined();
      }
    }
    expect(await sessionRows()).toBeLessThanOrEqual(3);
  });

  it('still refuses an anonymous form without the token, with another visitor\u2019s token, or with the token but not its cookie', async () => {
    const c = await makeContract(t.ctx);
    const mine = request.agent(t.app);
    const theirs = request.agent(t.app);
    const myToken = csrfFrom((await mine.get('/login')).text);
    const theirToken = csrfFrom((await theirs.get('/login')).text);
    const fields = { contract: c.number, password: c.password };
    expect((await mine.post('/login').type('form').send(fields)).status).toBe(403);
    expect((await mine.post('/login').type('form').send({ _csrf: theirToken, ...fields })).status).toBe(403);
    expect((await request(t.app).post('/login').type('form').send({ _csrf: myToken, ...fields })).status).toBe(403);
    expect(await t.ctx.db('audit_log').where({ action: 'login' })).toHaveLength(0);
    expect((await mine.post('/login').type('form').send({ _csrf: myToken, ...fields })).status).toBe(303);
  });

  it('issues a fresh token at sign-in and at sign-out: the visitor\u2019s token opens nothing once signed in', async () => {
    const c = await makeContract(t.ctx);
    const agent = request.agent(t.app);
    const visitorToken = csrfFrom((await agent.get('/login')).text);
    const login = await agent.post('/login').type('form').send({ _csrf: visitorToken, contract: c.number, password: c.password });
    expect(login.status).toBe(303);
    expect(cookieOf(login, 'kabinet.csrf')).toBeDefined();
    // the token of the anonymous page is bound to no session: refused for the signed-in one
    expect((await agent.post('/logout').type('form').send({ _csrf: visitorToken })).status).toBe(403);
    const cabinet = await agent.get('/cabinet');
    const cabinetToken = csrfFrom(cabinet.text);
    expect(cabinetToken).not.toBe(visitorToken);
    // the page uses the token of the cookie sign-in set, and does not send that same cookie again
    expect(decodeURIComponent(cookieOf(login, 'kabinet.csrf')!.split(';')[0].split('=')[1])).toBe(cabinetToken);
    expect(cookieOf(cabinet, 'kabinet.csrf')).toBeUndefined();
    const out = await agent.post('/logout').type('form').send({ _csrf: cabinetToken });
    expect(out.status).toBe(303);
    expect(cookieOf(out, 'kabinet.csrf')).toMatch(/Expires=Thu, 01 Jan 1970/);
    // signed out, the same browser signs in again
    const again = csrfFrom((await agent.get('/login?bye=1')).text);
    expect(again).not.toBe(cabinetToken);
    expect((await agent.post('/login').type('form').send({ _csrf: again, contract: c.number, password: c.password })).status).toBe(303);
  });
});

describe('absolute session lifetime', () => {
  it('ends a session without «Запомнить» 12 hours after sign-in however active', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await signIn(t.app, c.number, c.password);
    for (let minutes = 0; minutes < 12 * 60 - 25; minutes += 25) {
      t.clock.advance(25 * 60_000);
      expect((await agent.get('/cabinet')).status).toBe(200);
    }
    t.clock.advance(26 * 60_000); // 12 h 1 min after sign-in, 26 min after the last request
    const ended = await agent.get('/cabinet');
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/login?expired=1');
  });

  it('follows SESSION_ABSOLUTE_HOURS', async () => {
    const short = await makeTestApp({ SESSION_ABSOLUTE_HOURS: '1' });
    try {
      const c = await makeContract(short.ctx);
      const { agent } = await signIn(short.app, c.number, c.password);
      short.clock.advance(20 * 60_000);
      expect((await agent.get('/cabinet')).status).toBe(200);
      short.clock.advance(20 * 60_000);
      expect((await agent.get('/cabinet')).status).toBe(200);
      short.clock.advance(21 * 60_000);
      expect((await agent.get('/cabinet')).status).toBe(303);
    } finally {
      await short.close();
    }
  });

  it('ends a remembered session SESSION_REMEMBER_DAYS after sign-in even when it is used every day', async () => {
    const c = await makeContract(t.ctx);
    const { agent } = await signIn(t.app, c.number, c.password, true);
    for (let day = 1; day < 30; day++) {
      t.clock.advance(86_400_000);
      expect((await agent.get('/cabinet')).status).toBe(200);
    }
    t.clock.advance(86_400_000);
    expect((await agent.get('/cabinet')).status).toBe(303);
  });

  describe('with the system clock moved (express-session reads Date.now)', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
      jest.setSystemTime(t.clock.now());
    });
    afterEach(() => jest.useRealTimers());

    it('leaves a remembered cookie\u2019s Expires and the store\u2019s expiry where sign-in put them when the session is saved days later', async () => {
      const c = await makeContract(t.ctx);
      const { agent, res } = await signIn(t.app, c.number, c.password, true);
      const cookie = cookieOf(res, 'kabinet.sid')!;
      const expires = new Date(/Expires=([^;]+)/i.exec(cookie)![1]).getTime();
      expect(expires).toBe(Math.floor((t.clock.now().getTime() + 30 * 86_400_000) / 1000) * 1000);
      const stored = new Date((await storeExpiry(cookie))!.expired).getTime();
      expect(Math.abs(stored - (t.clock.now().getTime() + 30 * 86_400_000))).toBeLessThan(1000);

      // three days later a request changes the session (lastSeenAt): it is saved and its cookie sent again
      t.clock.advance(3 * 86_400_000);
      jest.setSystemTime(t.clock.now());
      const later = await agent.get('/cabinet');
      expect(later.status).toBe(200);
      const again = cookieOf(later, 'kabinet.sid');
      if (again) expect(new Date(/Expires=([^;]+)/i.exec(again)![1]).getTime()).toBe(expires);
      const row = (await storeExpiry(cookie))!;
      expect(sessOf(row).lastSeenAt).toBe(t.clock.now().getTime()); // it was saved
      expect(Math.abs(new Date(row.expired).getTime() - stored)).toBeLessThan(1000);
    });
  });
});

describe('a new session id after the password is entered again for the contacts page', () => {
  it('changes the id, keeps the session\u2019s data, re-issues the CSRF token, and the old id opens nothing', async () => {
    const c = await makeContract(t.ctx, { password: 'old password 1' });
    const { agent, res } = await signIn(t.app, c.number, 'old password 1', true);
    const before = cookieOf(res, 'kabinet.sid')!;
    const beforeRow = sessOf(await storeExpiry(before));
    const page = await agent.get('/cabinet/profile/contacts');
    const oldToken = csrfFrom(page.text);
    t.clock.advance(60_000);
    const reauth = await agent.post('/cabinet/profile/contacts/reauth').type('form').send({ _csrf: oldToken, password: 'old password 1' });
    expect(reauth.status).toBe(303);
    const after = cookieOf(reauth, 'kabinet.sid')!;
    expect(after.split(';')[0]).not.toBe(before.split(';')[0]);
    expect(cookieOf(reauth, 'kabinet.csrf')).toBeDefined();
    // the data moved: remember, sign-in time, the contract; the cookie still ends 30 days after sign-in
    const afterRow = sessOf(await storeExpiry(after));
    expect(afterRow).toMatchObject({ remember: true, signedInAt: beforeRow.signedInAt, passport: { user: { contractId: c.id } } });
    expect(afterRow.reauthAt).toBe(t.clock.now().getTime());
    expect(/Expires=([^;]+)/i.exec(after)![1]).toBe(/Expires=([^;]+)/i.exec(before)![1]);
    expect(await storeExpiry(before)).toBeUndefined();
    expect((await request(t.app).get('/cabinet').set('Cookie', before.split(';')[0])).status).toBe(303);
    // the contacts page is open on the new id; the old token is refused, the new page's token works
    const open = await agent.get('/cabinet/profile/contacts');
    expect(open.text).toContain('data-step="contacts"');
    expect((await agent.post('/cabinet/profile/contacts/phone').type('form').send({ _csrf: oldToken, phone: '+79051112233' })).status).toBe(403);
    expect((await agent.post('/cabinet/profile/contacts/phone').type('form').send({ _csrf: csrfFrom(open.text), phone: '+79051112233' })).status).toBe(303);
  });
});

describe('the production session cookie', () => {
  it('is __Host-kabinet.sid: Secure, path /, no domain; the CSRF cookie is __Host- too', async () => {
    const config = loadConfig({
      NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), PUBLIC_URL: 'https://lk.example.ru', TRUST_PROXY: 'loopback',
      BCRYPT_COST: '10', PAYMENT_GATEWAY: 'sandbox', PAYMENT_SANDBOX_IN_PRODUCTION: 'true', SMS_DRIVER: 'file', EMAIL_DRIVER: 'file', LOG_LEVEL: 'silent',
    });
    const { db, close } = await openTestDb();
    try {
      const ctx = { config, db, clock: new ManualClock('2026-11-24T05:00:00.000Z'), logger: pino({ level: 'silent' }) };
      const c = await makeContract(ctx);
      const app = createApp(ctx);
      const agent = request.agent(app);
      const page = await agent.get('/login').set('X-Forwarded-Proto', 'https');
      const csrfCookie = cookieOf(page, '__Host-kabinet.csrf')!;
      expect(csrfCookie).toMatch(/; Secure/);
      expect(csrfCookie).toMatch(/; Path=\//);
      expect(csrfCookie).not.toMatch(/Domain=/i);
      const login = await request(app).post('/login').set('X-Forwarded-Proto', 'https').set('Cookie', csrfCookie.split(';')[0])
        .type('form').send({ _csrf: csrfFrom(page.text), contract: c.number, password: c.password });
      expect(login.status).toBe(303);
      const sid = cookieOf(login, '__Host-kabinet.sid')!;
      expect(sid).toMatch(/; Path=\//);
      expect(sid).toMatch(/; Secure/);
      expect(sid).toMatch(/; HttpOnly/);
      expect(sid).not.toMatch(/Domain=/i);
      expect(cookieOf(login, 'kabinet.sid')).toBeUndefined();
    } finally {
      await close();
    }
  });
});
