// «Журнал действий»: the audit log searched by staff member, contract, action and period; admin only; append-only.
import { failureOf, makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { makeStaff, staffAgent, staffPost } from '../support/staff';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const insert = (row: Record<string, unknown>) => t.ctx.db('audit_log').insert({ actor: 'system', ip: null, ...row });
/** The table's rows on the page, as text without tags. */
const rowsOf = (html: string) =>
  [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());

describe('«Журнал действий»', () => {
  it('shows an admin each row: time, who, contract, action, address and before → after, newest first', async () => {
    const { agent, staff } = await staffAgent(t, 'admin', { name: 'Админ Петров' });
    const c = await makeContract(t.ctx);
    await insert({ at: '2026-11-20T03:00:00.000Z', actor: 'subscriber', actor_id: c.id, contract_id: c.id, action: 'login', ip: '10.0.0.7' });
    await insert({ at: '2026-11-21T03:00:00.000Z', actor: 'staff', actor_id: staff.id, contract_id: c.id, action: 'tariff_updated', ip: '10.0.0.8',
      before: JSON.stringify({ name: '<b>Старое</b>', speed: 100 }), after: JSON.stringify({ name: 'Новое', speed: 300 }) });
    await insert({ at: '2026-11-22T03:00:00.000Z', action: 'something_new', detail: JSON.stringify({ n: 1 }) });
    const page = await agent.get('/admin/audit');
    expect(page.status).toBe(200);
    const rows = rowsOf(page.text);
    const i = (s: string) => rows.findIndex((r) => r.includes(s));
    expect(i('something_new')).toBeLessThan(i('Изменён тариф'));
    expect(i('Изменён тариф')).toBeLessThan(i('Вход абонента'));
    expect(rows[i('Изменён тариф')]).toContain('Админ Петров');
    expect(rows[i('Изменён тариф')]).toContain('10.0.0.8');
    expect(rows[i('Изменён тариф')]).toContain('speed : 100 → 300');
    expect(page.text).toContain('&lt;b&gt;Старое&lt;/b&gt; → Новое');
    expect(page.text).not.toContain('<b>Старое</b>');
    expect(rows[i('Вход абонента')]).toContain('абонент');
    expect(page.text).toContain(`<a href="/admin/contracts/${c.id}">${c.number}</a>`);
    expect(rows[i('something_new')]).toContain('система');
  });

  it('is closed to a cashier, support and content (403)', async () => {
    for (const role of ['cashier', 'support', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      expect((await agent.get('/admin/audit')).status).toBe(403);
    }
  });

  it('finds by staff member, by contract number, by action and by period (the provider\'s days)', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const kassa = await makeStaff(t.ctx, 'cashier', { name: 'Кассир Анна' });
    const c1 = await makeContract(t.ctx);
    const c2 = await makeContract(t.ctx);
    await insert({ at: '2026-11-10T16:30:00.000Z', actor: 'staff', actor_id: kassa.id, contract_id: c1.id, action: 'payment_taken', detail: JSON.stringify({ mark: 'A' }) }); // 23:30 on the 10th there
    await insert({ at: '2026-11-10T17:30:00.000Z', actor: 'staff', actor_id: kassa.id, contract_id: c2.id, action: 'payment_taken', detail: JSON.stringify({ mark: 'B' }) }); // 00:30 on the 11th
    await insert({ at: '2026-11-12T05:00:00.000Z', actor: 'subscriber', actor_id: c1.id, contract_id: c1.id, action: 'login', detail: JSON.stringify({ mark: 'C' }) });
    const marks = async (q: string) => {
      const res = await agent.get(`/admin/audit?${q}`);
      expect(res.status).toBe(200);
      return rowsOf(res.text).map((r) => /mark : (\w)/.exec(r)?.[1]).filter(Boolean).sort().join('');
    };
    expect(await marks(`staff=${kassa.id}`)).toBe('AB');
    expect(await marks(`contract=${c1.number}`)).toBe('AC');
    expect(await marks('contract=999999')).toBe('');
    expect(await marks('action=payment_taken')).toBe('AB');
    expect(await marks('from=2026-11-11&to=2026-11-11')).toBe('B');
    expect(await marks('to=10.11.2026')).toBe('A');
    expect(await marks(`from=2026-11-11&staff=${kassa.id}&contract=${c2.number}&action=payment_taken`)).toBe('B');
    const page = await agent.get(`/admin/audit?staff=${kassa.id}`);
    expect(page.text).toContain(`<option value="${kassa.id}" selected>Кассир Анна (${kassa.login})</option>`);
    expect(page.text).toContain('<option value="payment_taken">payment_taken</option>');
  });

  it('refuses bad dates, a reversed period, a contract number with letters, an unknown staff member or action (422)', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const cases: [string, string][] = [
      ['from=2026-13-01', 'Введите дату начала'],
      ['to=завтра', 'Введите дату конца'],
      ['from=2026-11-20&to=2026-11-10', 'Конец периода раньше его начала'],
      ['contract=10012a', 'Номер договора — только цифры'],
      ['staff=99999', 'Выберите сотрудника из списка'],
      ['action=drop_table', 'Выберите действие из списка'],
      ['page=0', 'Номер страницы'],
    ];
    for (const [q, message] of cases) {
      const res = await agent.get(`/admin/audit?${q}`);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
    }
  });

  it('pages by 50, newest first, keeping the filters in the links', async () => {
    const { agent } = await staffAgent(t, 'admin');
    for (let i = 0; i < 60; i++) await insert({ at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(), action: 'bulk_row', detail: JSON.stringify({ n: i }) });
    const first = await agent.get('/admin/audit?action=bulk_row');
    expect(rowsOf(first.text)).toHaveLength(50);
    expect(rowsOf(first.text)[0]).toContain('n : 59');
    expect(first.text).toContain('href="/admin/audit?action=bulk_row&amp;page=2"');
    const second = await agent.get('/admin/audit?action=bulk_row&page=2');
    expect(rowsOf(second.text)).toHaveLength(10);
    expect(rowsOf(second.text)[9]).toContain('n : 0');
    expect(second.text).not.toContain('page=3');
  });

  it('finds a staff action made in the console, and the table refuses to change a row', async () => {
    const { agent, staff } = await staffAgent(t, 'admin');
    const other = await makeStaff(t.ctx, 'support');
    await staffPost(agent, `/admin/staff/${other.id}/role`, { role: 'content' }, '/admin/staff');
    const res = await agent.get(`/admin/audit?staff=${staff.id}&action=staff_role_changed`);
    expect(rowsOf(res.text)).toHaveLength(1);
    expect(rowsOf(res.text)[0]).toContain('role : support → content');
    expect(await failureOf(t.ctx.db('audit_log').where({ action: 'staff_role_changed' }).update({ after: null }))).toMatch(/append-only/);
    expect(await failureOf(t.ctx.db('audit_log').where({ action: 'staff_role_changed' }).del())).toMatch(/append-only/);
  });
});
