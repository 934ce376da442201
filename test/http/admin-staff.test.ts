// «Сотрудники»: accounts made, disabled, re-roled and given a new password by an admin only, each on record.
import { makeTestApp, type TestApp } from '../support/app';
import { makeStaff, staffAgent, staffCsrf, staffPost, staffSignIn } from '../support/staff';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const audits = (action: string) => t.ctx.db('audit_log').where({ action }).select('actor', 'actor_id', 'before', 'after', 'detail');
const row = (id: number) => t.ctx.db('staff').where({ id }).first();
const passwordOn = (html: string) => /<code class="staff-password">([^<]+)<\/code>/.exec(html)?.[1];

describe('the staff list', () => {
  it('shows an admin every account with its login, name, role, access and last sign-in', async () => {
    const { agent, staff } = await staffAgent(t, 'admin', { name: 'Главный Админ' });
    const other = await makeStaff(t.ctx, 'cashier', { name: 'Кассир Иванова' });
    await t.ctx.db('staff').where({ id: other.id }).update({ active: false });
    const page = await agent.get('/admin/staff');
    expect(page.status).toBe(200);
    expect(page.text).toContain(staff.login);
    expect(page.text).toContain('Главный Админ');
    expect(page.text).toContain('Кассир Иванова');
    expect(page.text).toContain('отключён');
    expect(page.text).toContain('не входил');
    expect(page.text).toContain(`action="/admin/staff/${other.id}/enable"`);
  });

  it('is closed to a cashier, support and content (403), and their POSTs change nothing', async () => {
    const target = await makeStaff(t.ctx, 'cashier');
    for (const role of ['cashier', 'support', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      expect((await agent.get('/admin/staff')).status).toBe(403);
      expect((await agent.get('/admin/staff/new')).status).toBe(403);
      expect((await staffPost(agent, '/admin/staff/new', { login: `x${role}`, name: 'X', role: 'admin' })).status).toBe(403);
      expect((await staffPost(agent, `/admin/staff/${target.id}/disable`, {})).status).toBe(403);
      expect((await staffPost(agent, `/admin/staff/${target.id}/role`, { role: 'admin' })).status).toBe(403);
      expect((await staffPost(agent, `/admin/staff/${target.id}/password`, {})).status).toBe(403);
    }
    const after = await row(target.id);
    expect(Boolean(after.active)).toBe(true);
    expect(after.role).toBe('cashier');
    expect(await t.ctx.db('staff').whereIn('login', ['xcashier', 'xsupport', 'xcontent'])).toHaveLength(0);
    expect(await audits('staff_forbidden')).toHaveLength(12);
  });
});

describe('a new staff account', () => {
  it('is made with a generated password shown once, which signs in', async () => {
    const { agent, staff } = await staffAgent(t, 'admin');
    expect((await agent.get('/admin/staff/new')).text).toContain('Новый сотрудник');
    const res = await staffPost(agent, '/admin/staff/new', { login: 'Petrova', name: 'Петрова Анна', role: 'cashier' }, '/admin/staff/new');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const password = passwordOn(res.text)!;
    expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
    expect((await agent.get('/admin/staff')).text).not.toContain(password);
    const made = await t.ctx.db('staff').where({ login: 'petrova' }).first();
    expect(made).toMatchObject({ name: 'Петрова Анна', role: 'cashier' });
    const own = await staffSignIn(t.app, 'petrova', password);
    expect((await own.get('/admin/cash-desk')).status).not.toBe(403);
    const [a] = (await audits('staff_created')).filter((r) => r.actor === 'staff');
    expect(a).toMatchObject({ actor: 'staff', actor_id: staff.id });
    expect(JSON.parse(a.after)).toEqual({ staffId: made.id, login: 'petrova', name: 'Петрова Анна', role: 'cashier' });
    expect(JSON.stringify(await t.ctx.db('audit_log').select())).not.toContain(password);
  });

  it('refuses a taken login, a bad login, an empty name and an unknown role with a message (422), keeping what was typed', async () => {
    const { agent } = await staffAgent(t, 'admin');
    await makeStaff(t.ctx, 'support', { login: 'olga' });
    const cases: [Record<string, string>, string][] = [
      [{ login: 'olga', name: 'Ольга', role: 'support' }, 'Этот логин уже занят'],
      [{ login: 'ольга', name: 'Ольга', role: 'support' }, 'Логин: от 3 до 40 символов'],
      [{ login: 'olga2', name: ' ', role: 'support' }, 'Введите имя'],
      [{ login: 'olga3', name: 'Ольга', role: 'root' }, 'Выберите роль из списка'],
    ];
    for (const [fields, message] of cases) {
      const res = await staffPost(agent, '/admin/staff/new', fields, '/admin/staff/new');
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`value="${fields.login}"`);
    }
    expect(await t.ctx.db('staff').whereIn('login', ['olga2', 'olga3'])).toHaveLength(0);
  });

  it('refuses a POST without the csrf token (403)', async () => {
    const { agent } = await staffAgent(t, 'admin');
    await agent.get('/admin/staff/new');
    const res = await agent.post('/admin/staff/new').type('form').send({ login: 'nocsrf', name: 'X', role: 'admin' });
    expect(res.status).toBe(403);
    expect(await t.ctx.db('staff').where({ login: 'nocsrf' })).toHaveLength(0);
  });
});

describe('disabling, enabling, role and password', () => {
  it('disables an account: its open session ends at once; enabling lets it in again', async () => {
    const { agent, staff } = await staffAgent(t, 'admin');
    const cashier = await makeStaff(t.ctx, 'cashier');
    const theirs = await staffSignIn(t.app, cashier.login, cashier.password);
    const res = await staffPost(agent, `/admin/staff/${cashier.id}/disable`, {}, '/admin/staff');
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).text).toContain(`Сотрудник ${cashier.login} отключён`);
    expect((await theirs.get('/admin')).headers.location).toBe('/admin/login?disabled=1');
    expect(Boolean((await row(cashier.id)).active)).toBe(false);
    const [a] = await audits('staff_disabled');
    expect(a.actor_id).toBe(staff.id);
    expect(JSON.parse(a.before)).toMatchObject({ active: true });
    expect(JSON.parse(a.after)).toMatchObject({ active: false });
    expect((await staffPost(agent, `/admin/staff/${cashier.id}/enable`, {}, '/admin/staff')).status).toBe(303);
    await staffSignIn(t.app, cashier.login, cashier.password);
    expect(await audits('staff_enabled')).toHaveLength(1);
  });

  it('does not let an admin disable themself nor reset their own password here', async () => {
    const { agent, staff } = await staffAgent(t, 'admin');
    await makeStaff(t.ctx, 'admin');
    const res = await staffPost(agent, `/admin/staff/${staff.id}/disable`, {}, '/admin/staff');
    expect(res.status).toBe(409);
    expect(res.text).toContain('Нельзя отключить');
    expect((await staffPost(agent, `/admin/staff/${staff.id}/password`, {}, '/admin/staff')).status).toBe(409);
    expect(Boolean((await row(staff.id)).active)).toBe(true);
  });

  it('keeps the last active admin: neither disabled nor moved to another role', async () => {
    const { agent, staff } = await staffAgent(t, 'admin');
    const other = await makeStaff(t.ctx, 'admin');
    // the other admin is the last one once this one is no longer admin... so first demote the other: allowed
    expect((await staffPost(agent, `/admin/staff/${other.id}/role`, { role: 'support' }, '/admin/staff')).status).toBe(303);
    expect((await row(other.id)).role).toBe('support');
    const self = await staffPost(agent, `/admin/staff/${staff.id}/role`, { role: 'cashier' }, '/admin/staff');
    expect(self.status).toBe(409);
    expect(self.text).toContain('последний действующий администратор');
    expect((await row(staff.id)).role).toBe('admin');
    // a disabled admin does not count
    await t.ctx.db('staff').where({ id: other.id }).update({ role: 'admin', active: false });
    expect((await staffPost(agent, `/admin/staff/${staff.id}/role`, { role: 'cashier' }, '/admin/staff')).status).toBe(409);
    const [a] = await audits('staff_role_changed');
    expect(JSON.parse(a.before)).toMatchObject({ role: 'admin' });
    expect(JSON.parse(a.after)).toMatchObject({ role: 'support' });
  });

  it('refuses an unknown role (422) and answers 404 for an unknown account', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const s = await makeStaff(t.ctx, 'content');
    const bad = await staffPost(agent, `/admin/staff/${s.id}/role`, { role: 'boss' }, '/admin/staff');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Выберите роль из списка');
    expect((await row(s.id)).role).toBe('content');
    expect((await staffPost(agent, '/admin/staff/99999/disable', {}, '/admin/staff')).status).toBe(404);
    expect((await staffPost(agent, '/admin/staff/abc/role', { role: 'admin' }, '/admin/staff')).status).toBe(404);
  });

  it('a changed role takes effect on the staff member\'s next request', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const s = await makeStaff(t.ctx, 'content');
    const theirs = await staffSignIn(t.app, s.login, s.password);
    expect((await theirs.get('/admin/staff')).status).toBe(403);
    await staffPost(agent, `/admin/staff/${s.id}/role`, { role: 'admin' }, '/admin/staff');
    expect((await theirs.get('/admin/staff')).status).toBe(200);
  });

  it('resets a password: the new one is shown once, the old one and the open sessions stop working', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const s = await makeStaff(t.ctx, 'support');
    const theirs = await staffSignIn(t.app, s.login, s.password);
    t.clock.advance(1000);
    const res = await staffPost(agent, `/admin/staff/${s.id}/password`, {}, '/admin/staff');
    expect(res.status).toBe(200);
    expect(res.text).toContain('открытые сеансы завершены');
    const password = passwordOn(res.text)!;
    expect(password).toHaveLength(20);
    expect((await theirs.get('/admin')).headers.location).toBe('/admin/login?disabled=1');
    await expect(staffSignIn(t.app, s.login, s.password)).rejects.toThrow(/401/);
    await staffSignIn(t.app, s.login, password);
    const audit = await t.ctx.db('audit_log').select();
    expect(JSON.stringify(audit)).not.toContain(password);
    expect(await audits('staff_password_reset')).toHaveLength(1);
    expect(await staffCsrf(agent, '/admin/staff')).toBeTruthy();
  });
});
