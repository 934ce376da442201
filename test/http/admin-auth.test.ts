// The console's sign-in, its session apart from a subscriber's, roles on every request, the staff member's own password.
import request from 'supertest';
import { csrfFrom, failureOf, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { makeStaff, staffAgent, staffCsrf, staffPost, staffSignIn } from '../support/staff';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const audits = (action: string) => t.ctx.db('audit_log').where({ action }).select('actor', 'actor_id', 'detail', 'ip');

describe('staff sign-in', () => {
  it('shows «Логин», «Пароль», «Войти» and lets an admin in to «Рабочий стол»', async () => {
    const page = await request(t.app).get('/admin/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<label for="login">Логин</label>');
    expect(page.text).toContain('<label for="password">Пароль</label>');
    expect(page.text).toContain('>Войти</button>');
    const s = await makeStaff(t.ctx, 'admin');
    const agent = await staffSignIn(t.app, s.login, s.password);
    const home = await agent.get('/admin');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Рабочий стол');
    expect(home.headers['cache-control']).toBe('no-store');
    expect(await audits('staff_login')).toEqual([expect.objectContaining({ actor: 'staff', actor_id: s.id })]);
  });

  it('sends a visitor of a console page to the sign-in page and back there after', async () => {
    const res = await request(t.app).get('/admin/password?q=1');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/login?next=%2Fadmin%2Fpassword%3Fq%3D1');
    const s = await makeStaff(t.ctx, 'support');
    const agent = request.agent(t.app);
    const page = await agent.get(res.headers.location);
    const done = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), login: s.login, password: s.password, next: '/admin/password?q=1' });
    expect(done.headers.location).toBe('/admin/password?q=1');
  });

  it('gives one answer for a wrong password, an unknown login and a disabled account, and writes each to the audit', async () => {
    const s = await makeStaff(t.ctx, 'cashier');
    const off = await makeStaff(t.ctx, 'cashier');
    await t.ctx.db('staff').where({ id: off.id }).update({ active: false });
    for (const [login, password] of [[s.login, 'wrong password'], ['nobody', 'whatever1'], [off.login, off.password]]) {
      const agent = request.agent(t.app);
      const page = await agent.get('/admin/login');
      const res = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), login, password });
      expect(res.status).toBe(401);
      expect(res.text).toContain('Неверный логин или пароль, или учётная запись отключена.');
      expect(res.text).toContain(`value="${login}"`);
    }
    expect(await audits('staff_login_failed')).toHaveLength(3);
  });

  it('asks for the login and the password when they are empty (422), and refuses a post without the csrf token', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const empty = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), login: ' ', password: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Введите логин');
    expect(empty.text).toContain('Введите пароль');
    const s = await makeStaff(t.ctx, 'admin');
    const noToken = await agent.post('/admin/login').type('form').send({ login: s.login, password: s.password });
    expect(noToken.status).toBe(403);
  });

  it('limits guessing per login and network, and says when to try again', async () => {
    const limited = await makeTestApp({ LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK: '3' });
    try {
      const s = await makeStaff(limited.ctx, 'admin');
      const agent = request.agent(limited.app);
      let last = 0;
      for (let i = 0; i < 4; i++) {
        const page = await agent.get('/admin/login');
        last = (await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), login: s.login, password: `guess${i}` })).status;
      }
      expect(last).toBe(429);
      const page = await agent.get('/admin/login');
      const right = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), login: s.login, password: s.password });
      expect(right.status).toBe(429);
      expect(right.text).toContain('Слишком много неудачных попыток');
    } finally {
      await limited.close();
    }
  });

  it('gives a new session id at sign-in and ends the session with «Выйти»', async () => {
    const s = await makeStaff(t.ctx, 'admin');
    const agent = request.agent(t.app);
    const page = await agent.get('/admin/login');
    const res = await agent.post('/admin/login').type('form').send({ _csrf: csrfFrom(page.text), login: s.login, password: s.password });
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('kabinet.staff='));
    expect(cookie).toMatch(/Path=\/admin; HttpOnly; SameSite=Lax/);
    const out = await staffPost(agent, '/admin/logout', {});
    expect(out.headers.location).toBe('/admin/login?bye=1');
    expect((await agent.get('/admin')).status).toBe(303);
  });
});

describe('a staff session is not a subscriber session', () => {
  it('a staff member signed in to the console is not signed in to any cabinet, and a subscriber does not reach the console', async () => {
    const { agent } = await staffAgent(t, 'admin');
    expect((await agent.get('/cabinet')).status).toBe(303);
    const c = await makeContract(t.ctx);
    const sub = await signIn(t.app, c.number, c.password);
    const res = await sub.agent.get('/admin');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/admin\/login/);
  });

  it('ends a session after the idle time and after the absolute lifetime', async () => {
    const { agent } = await staffAgent(t, 'admin');
    t.clock.advance(t.ctx.config.sessionIdleMs + 60_000);
    const idle = await agent.get('/admin');
    expect(idle.headers.location).toBe('/admin/login?expired=1');
    const again = await staffAgent(t, 'admin');
    const step = t.ctx.config.sessionIdleMs / 2;
    let elapsed = 0;
    for (;;) {
      t.clock.advance(step);
      elapsed += step;
      const res = await again.agent.get('/admin');
      if (res.status === 200) continue;
      expect(res.headers.location).toBe('/admin/login?expired=1');
      break;
    }
    expect(elapsed).toBeGreaterThanOrEqual(t.ctx.config.sessionAbsoluteMs);
  });

  it('ends a disabled staff member\'s old session on the next request', async () => {
    const { agent, staff } = await staffAgent(t, 'cashier');
    expect((await agent.get('/admin')).status).toBe(200);
    await t.ctx.db('staff').where({ id: staff.id }).update({ active: false });
    const res = await agent.get('/admin');
    expect(res.headers.location).toBe('/admin/login?disabled=1');
    const page = await agent.get(res.headers.location);
    expect(page.text).toContain('Учётная запись отключена или изменена');
  });
});

describe('roles', () => {
  it('shows each role only the menu it may open', async () => {
    const menus: Record<string, string> = {};
    for (const role of ['admin', 'cashier', 'support', 'content'] as const) menus[role] = (await (await staffAgent(t, role)).agent.get('/admin')).text;
    expect(menus.admin).toContain('href="/admin/staff"');
    expect(menus.admin).toContain('href="/admin/audit"');
    expect(menus.cashier).toContain('href="/admin/cash-desk"');
    expect(menus.cashier).not.toContain('href="/admin/staff"');
    expect(menus.cashier).not.toContain('href="/admin/tariffs"');
    expect(menus.support).toContain('href="/admin/feedback"');
    expect(menus.support).not.toContain('href="/admin/cash-desk"');
    expect(menus.content).toContain('href="/admin/tariffs"');
    expect(menus.content).not.toContain('href="/admin/contracts"');
  });
});

describe('the staff member\'s own password', () => {
  it('changes with the current one, keeps this session and ends the others', async () => {
    const s = await makeStaff(t.ctx, 'support');
    const here = await staffSignIn(t.app, s.login, s.password);
    const elsewhere = await staffSignIn(t.app, s.login, s.password);
    t.clock.advance(1000);
    const res = await staffPost(here, '/admin/password', { current: s.password, password: 'новый пароль поддержки', repeat: 'новый пароль поддержки' }, '/admin/password');
    expect(res.status).toBe(303);
    expect((await here.get('/admin/password?done=1')).text).toContain('Пароль изменён.');
    expect((await elsewhere.get('/admin')).headers.location).toBe('/admin/login?disabled=1');
    await staffSignIn(t.app, s.login, 'новый пароль поддержки');
    expect(await audits('staff_password_changed')).toHaveLength(1);
  });

  it('refuses a wrong current password and a weak or mismatched new one, changing nothing', async () => {
    const { agent, staff } = await staffAgent(t, 'content');
    const wrong = await staffPost(agent, '/admin/password', { current: 'nope', password: 'длинный пароль раз', repeat: 'длинный пароль раз' }, '/admin/password');
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Текущий пароль введён неверно');
    const hash = (await t.ctx.db('staff').where({ id: staff.id }).first()).password_hash;
    const short = await staffPost(agent, '/admin/password', { current: 'x', password: 'short', repeat: 'short' }, '/admin/password');
    expect(short.status).toBe(422);
    expect((await t.ctx.db('staff').where({ id: staff.id }).first()).password_hash).toBe(hash);
    expect(await staffCsrf(agent)).toBeTruthy();
  });
});

describe('the audit log is append-only', () => {
  it('refuses to update or delete a row on this engine', async () => {
    await t.ctx.db('audit_log').insert({ at: '2026-11-24T05:00:00.000Z', actor: 'system', action: 'x' });
    expect(await failureOf(t.ctx.db('audit_log').update({ action: 'y' }))).toMatch(/append-only/);
    expect(await failureOf(t.ctx.db('audit_log').del())).toMatch(/append-only/);
    expect(await t.ctx.db('audit_log').pluck('action')).toEqual(['x']);
  });
});
