// «Рабочий стол»: what waits, for the staff member's role only, with counts and links; htmx polls the tiles alone.
import { makeTestApp, type TestApp } from '../support/app';
import { staffAgent } from '../support/staff';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const now = () => t.ctx.clock.now().toISOString();
const tile = (html: string, key: string) => new RegExp(`data-queue="${key}"[^>]*><span class="count">(\\d+)</span>`).exec(html)?.[1];

async function somethingWaitsEverywhere() {
  await t.ctx.db('connection_requests').insert([
    { phone: '+79131234567', status: 'new', created_at: now() },
    { phone: '+79131234568', status: 'new', created_at: now() },
    { phone: '+79131234569', status: 'called', created_at: now() },
  ]);
  await t.ctx.db('feedback').insert({ name: 'Анна', phone: '+79051234567', question: 'Вопрос', created_at: now() });
  await t.ctx.db('outbox').insert([
    { channel: 'email', recipient: 'a@b.ru', body: 'x', topic: 'payments', one_time_code: false, state: 'failed', attempts: 5, next_try_at: now(), created_at: now() },
    { channel: 'sms', recipient: '+79131234567', body: '******', topic: 'recovery', one_time_code: true, state: 'failed', attempts: 1, next_try_at: now(), created_at: now(), last_error: 'expired' },
    { channel: 'sms', recipient: '+79131234567', body: 'x', topic: 'payments', one_time_code: false, state: 'sent', attempts: 1, next_try_at: now(), created_at: now() },
  ]);
  await t.ctx.db('jobs').insert({ kind: 'billing.run', run_at: now(), payload: '{}', idempotency_key: 'j1', status: 'failed', attempts: 5, created_at: now() });
}

describe('«Рабочий стол»', () => {
  it('shows each role only its own queues, with counts and links', async () => {
    await somethingWaitsEverywhere();
    const page = async (role: 'admin' | 'cashier' | 'support' | 'content') => {
      const res = await (await staffAgent(t, role)).agent.get('/admin');
      expect(res.status).toBe(200);
      return res.text;
    };
    const admin = await page('admin');
    expect([tile(admin, 'requests'), tile(admin, 'feedback'), tile(admin, 'outbox'), tile(admin, 'jobs'), tile(admin, 'unmatched')]).toEqual(['2', '1', '1', '1', '0']);
    expect(admin).toContain('href="/admin/requests?status=new"');
    expect(admin).toContain('href="/admin/registers/unmatched"');
    expect(admin).toContain('hx-get="/admin" hx-trigger="every 30s"');
    const support = await page('support');
    expect([tile(support, 'requests'), tile(support, 'feedback'), tile(support, 'outbox'), tile(support, 'jobs'), tile(support, 'unmatched')]).toEqual(['2', '1', '1', undefined, undefined]);
    const cashier = await page('cashier');
    expect([tile(cashier, 'requests'), tile(cashier, 'jobs'), tile(cashier, 'unmatched')]).toEqual([undefined, undefined, '0']);
    const content = await page('content');
    expect(content).not.toContain('data-queue=');
    expect(content).toContain('Для вашей роли очередей нет.');
  });

  it('answers htmx\'s poll with the tiles alone, counted afresh', async () => {
    const { agent } = await staffAgent(t, 'support');
    const before = await agent.get('/admin').set('HX-Request', 'true');
    expect(before.status).toBe(200);
    expect(before.headers.vary).toMatch(/HX-Request/);
    expect(before.text).not.toContain('<html');
    expect(before.text.trimStart()).toMatch(/^<div id="queue-counts"/);
    expect(tile(before.text, 'feedback')).toBe('0');
    await t.ctx.db('feedback').insert({ name: 'Анна', phone: '+79051234567', question: 'Вопрос', created_at: now() });
    const after = await agent.get('/admin').set('HX-Request', 'true');
    expect(tile(after.text, 'feedback')).toBe('1');
    const restore = await agent.get('/admin').set('HX-Request', 'true').set('HX-History-Restore-Request', 'true');
    expect(restore.text).toContain('<html');
  });

  it('counts the unmatched bank register rows for a cashier', async () => {
    const { agent, staff } = await staffAgent(t, 'cashier');
    expect(tile((await agent.get('/admin')).text, 'unmatched')).toBe('0');
    const [{ id }] = await t.ctx.db('bank_registers').insert({ file_name: 'r.csv', format: 'csv', encoding: 'utf-8', sha256: 'x'.repeat(64), uploaded_by: staff.id, uploaded_at: now() }).returning('id');
    await t.ctx.db('bank_register_rows').insert([
      { register_id: id, line: 2, status: 'unmatched', payment_key: 'bank:a' },
      { register_id: id, line: 3, status: 'paid', payment_key: 'bank:b' },
    ]);
    expect(tile((await agent.get('/admin')).text, 'unmatched')).toBe('1');
  });
});
