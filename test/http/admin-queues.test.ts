// The console's queues: «Заявки на подключение», «Обратная связь», the outbox and the jobs, each for the roles that
// may work them, refused (403, nothing changed) to the others, every action audited.
import { enqueue } from '../../src/outbox/service';
import { makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { staffAgent, staffCsrf, staffPost } from '../support/staff';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const now = () => t.ctx.clock.now().toISOString();
const audits = (action: string) => t.ctx.db('audit_log').where({ action }).select('actor', 'actor_id', 'contract_id', 'detail', 'before', 'after');

async function newRequest(over: { name?: string; status?: string } = {}) {
  const [{ id }] = await t.ctx.db('connection_requests')
    .insert({ phone: '+79131234567', name: over.name ?? 'Иван Петров', address: 'ул. Кирова, 1', status: over.status ?? 'new', created_at: now() })
    .returning('id');
  return Number(id);
}
async function newFeedback(over: { email?: string | null; question?: string } = {}) {
  const [{ id }] = await t.ctx.db('feedback')
    .insert({ name: 'Анна', phone: '+79051234567', email: over.email === undefined ? 'anna@example.ru' : over.email, question: over.question ?? 'Когда подключат дом?', created_at: now() })
    .returning('id');
  return Number(id);
}
async function failedMessage(over: { oneTimeCode?: boolean; state?: string } = {}) {
  const id = (await enqueue(t.ctx, t.ctx.db, { channel: 'sms', recipient: '+79131234567', text: 'Код 123456', topic: 'recovery', oneTimeCode: over.oneTimeCode }))!;
  await t.ctx.db('outbox').where({ id }).update({ state: over.state ?? 'failed', attempts: 5, last_error: 'SMS.ru 500: gateway down', body: over.oneTimeCode ? 'Код ******' : 'Код 123456' });
  return id;
}
async function failedJob(status = 'failed') {
  const [{ id }] = await t.ctx.db('jobs')
    .insert({ kind: 'billing.run', run_at: now(), payload: '{}', idempotency_key: `job-${Math.random()}`, status, attempts: 5, last_error: 'Error: <boom>', created_at: now(), finished_at: now() })
    .returning('id');
  return Number(id);
}
const requestRow = (id: number) => t.ctx.db('connection_requests').where({ id }).first();

describe('«Заявки на подключение»', () => {
  it('lists requests by state for admin and support, newest or oldest first, with state filters as links', async () => {
    const first = await newRequest({ name: 'Первый' });
    t.clock.advance(60_000);
    await newRequest({ name: 'Второй' });
    await newRequest({ name: 'Отказник', status: 'refused' });
    for (const role of ['admin', 'support'] as const) {
      const { agent } = await staffAgent(t, role);
      const res = await agent.get('/admin/requests?status=new&order=oldest');
      expect(res.status).toBe(200);
      expect(res.text).toContain('href="/admin/requests?status=called&amp;order=oldest"');
      expect(res.text.indexOf('Первый')).toBeLessThan(res.text.indexOf('Второй'));
      expect(res.text).not.toContain('Отказник');
      const newest = await agent.get('/admin/requests');
      expect(newest.text.indexOf('Второй')).toBeLessThan(newest.text.indexOf('Первый'));
      expect((await agent.get(`/admin/requests/${first}`)).text).toContain('+7 (913) 123-45-67');
    }
  });

  it('moves a request new → called → signed with the contract it became, and shows who did what and when', async () => {
    const id = await newRequest();
    const c = await makeContract(t.ctx);
    const { agent, staff } = await staffAgent(t, 'support', { name: 'Ольга Поддержкина' });
    const called = await staffPost(agent, `/admin/requests/${id}/call`, { callNote: 'Договорились на вторник' }, `/admin/requests/${id}`);
    expect(called.status).toBe(303);
    expect(called.headers.location).toBe(`/admin/requests/${id}?done=called`);
    const signed = await staffPost(agent, `/admin/requests/${id}/sign`, { contract: c.number }, `/admin/requests/${id}`);
    expect(signed.status).toBe(303);
    expect(await requestRow(id)).toMatchObject({ status: 'signed', contract_id: c.id });
    const page = await agent.get(`/admin/requests/${id}?done=signed`);
    expect(page.text).toContain('Отмечено: договор заключён.');
    expect(page.text).toContain(`<a href="/admin/contracts/${c.id}">${c.number}</a>`);
    expect(page.text).toContain('Ольга Поддержкина');
    expect(page.text).toContain('Новая → Позвонили');
    expect(page.text).toContain('Позвонили → Договор заключён');
    expect(page.text).toContain('Договорились на вторник');
    expect(await audits('connection_request_called')).toEqual([expect.objectContaining({ actor: 'staff', actor_id: staff.id })]);
    expect(await audits('connection_request_signed')).toEqual([expect.objectContaining({ contract_id: c.id, before: JSON.stringify({ status: 'called' }) })]);
  });

  it('refuses an impossible move with a clear message and changes nothing', async () => {
    const id = await newRequest();
    const { agent } = await staffAgent(t, 'admin');
    const c = await makeContract(t.ctx);
    const res = await staffPost(agent, `/admin/requests/${id}/sign`, { contract: c.number }, `/admin/requests/${id}`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('Заявка уже в состоянии «Новая»: перевести её в «Договор заключён» нельзя.');
    await staffPost(agent, `/admin/requests/${id}/call`, {}, `/admin/requests/${id}`);
    const twice = await staffPost(agent, `/admin/requests/${id}/call`, {}, `/admin/requests/${id}`);
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('Заявка уже в состоянии «Позвонили»');
    expect(await requestRow(id)).toMatchObject({ status: 'called', contract_id: null });
    expect(await t.ctx.db('connection_request_events').where({ request_id: id })).toHaveLength(1);
    expect(await audits('connection_request_signed')).toHaveLength(0);
  });

  it('lets only one of two employees pressing «Позвонили» at once move the request', async () => {
    const id = await newRequest();
    const a = await staffAgent(t, 'support');
    const b = await staffAgent(t, 'admin');
    const [ta, tb] = [await staffCsrf(a.agent, `/admin/requests/${id}`), await staffCsrf(b.agent, `/admin/requests/${id}`)];
    const answers = await Promise.all([
      a.agent.post(`/admin/requests/${id}/call`).type('form').send({ _csrf: ta }),
      b.agent.post(`/admin/requests/${id}/call`).type('form').send({ _csrf: tb }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
    expect(await t.ctx.db('connection_request_events').where({ request_id: id })).toHaveLength(1);
    expect(await audits('connection_request_called')).toHaveLength(1);
  });

  it('asks for a contract that exists, typed as digits, and for the reason of a refusal', async () => {
    const id = await newRequest({ status: 'called' });
    const { agent } = await staffAgent(t, 'support');
    const letters = await staffPost(agent, `/admin/requests/${id}/sign`, { contract: '10A123' }, `/admin/requests/${id}`);
    expect(letters.status).toBe(422);
    expect(letters.text).toContain('Номер договора — это только цифры');
    expect(letters.text).toContain('value="10A123"');
    const unknown = await staffPost(agent, `/admin/requests/${id}/sign`, { contract: '999999' }, `/admin/requests/${id}`);
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Договора с таким номером нет');
    const noReason = await staffPost(agent, `/admin/requests/${id}/refuse`, { reason: '  ' }, `/admin/requests/${id}`);
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Укажите причину отказа');
    expect(await requestRow(id)).toMatchObject({ status: 'called', contract_id: null });
    const refused = await staffPost(agent, `/admin/requests/${id}/refuse`, { reason: 'Дом не подключён к сети' }, `/admin/requests/${id}`);
    expect(refused.status).toBe(303);
    expect(await requestRow(id)).toMatchObject({ status: 'refused' });
    expect(await audits('connection_request_refused')).toHaveLength(1);
  });

  it('takes a note at any state, shown escaped, and audits it', async () => {
    const id = await newRequest({ status: 'signed' });
    const { agent } = await staffAgent(t, 'support');
    const res = await staffPost(agent, `/admin/requests/${id}/note`, { note: '<b>перезвонить</b>' }, `/admin/requests/${id}`);
    expect(res.status).toBe(303);
    const page = await agent.get(res.headers.location);
    expect(page.text).toContain('&lt;b&gt;перезвонить&lt;/b&gt;');
    expect(page.text).not.toContain('<b>перезвонить</b>');
    expect(await audits('connection_request_note')).toHaveLength(1);
    expect((await staffPost(agent, `/admin/requests/${id}/note`, { note: '' }, `/admin/requests/${id}`)).status).toBe(422);
  });

  it('refuses cashier and content (403, nothing changed), an unknown request (404) and a post without the csrf token (403)', async () => {
    const id = await newRequest();
    for (const role of ['cashier', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      expect((await agent.get('/admin/requests')).status).toBe(403);
      expect((await agent.get(`/admin/requests/${id}`)).status).toBe(403);
      expect((await staffPost(agent, `/admin/requests/${id}/call`, {})).status).toBe(403);
    }
    const { agent } = await staffAgent(t, 'support');
    expect((await agent.get('/admin/requests/999999')).status).toBe(404);
    expect((await agent.get('/admin/requests/abc')).status).toBe(404);
    expect((await agent.post(`/admin/requests/${id}/call`).type('form').send({})).status).toBe(403);
    expect(await requestRow(id)).toMatchObject({ status: 'new' });
    expect(await audits('connection_request_called')).toHaveLength(0);
    expect(await audits('staff_forbidden')).toHaveLength(2);
  });
});

describe('«Обратная связь»', () => {
  it('answers by e-mail through the outbox, once: a second answer is refused with a clear message', async () => {
    const id = await newFeedback();
    const { agent, staff } = await staffAgent(t, 'support', { name: 'Ольга' });
    const list = await agent.get('/admin/feedback?status=new');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Когда подключат дом?');
    const page = await agent.get(`/admin/feedback/${id}`);
    expect(page.text).toContain('Отправить ответ на почту');
    const res = await staffPost(agent, `/admin/feedback/${id}/answer`, { answer: 'Подключим в декабре.' }, `/admin/feedback/${id}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/feedback/${id}?done=email`);
    const mail = await t.ctx.db('outbox').where({ topic: 'feedback' });
    expect(mail).toEqual([expect.objectContaining({ channel: 'email', recipient: 'anna@example.ru', state: 'queued' })]);
    expect(mail[0].body).toContain('Подключим в декабре.');
    expect(mail[0].body).toContain('Когда подключат дом?');
    expect(await t.ctx.db('feedback').where({ id }).first()).toMatchObject({ status: 'answered', answer_channel: 'email', answered_by: staff.id, outbox_id: mail[0].id });
    const shown = await agent.get(res.headers.location);
    expect(shown.text).toContain('Ответ поставлен в очередь на отправку письмом.');
    expect(shown.text).toContain('Ольга');
    const again = await staffPost(agent, `/admin/feedback/${id}/answer`, { answer: 'Ещё раз' }, `/admin/feedback/${id}`);
    expect(again.status).toBe(409);
    expect(again.text).toContain('На это обращение уже ответили (Ольга');
    expect(await t.ctx.db('outbox').where({ topic: 'feedback' })).toHaveLength(1);
    expect(await audits('feedback_answered')).toEqual([expect.objectContaining({ actor_id: staff.id })]);
  });

  it('without an e-mail takes the note of the call («Позвонили, ответили по телефону»), and sends nothing', async () => {
    const id = await newFeedback({ email: null });
    const { agent } = await staffAgent(t, 'admin');
    const page = await agent.get(`/admin/feedback/${id}`);
    expect(page.text).toContain('Позвонили, ответили по телефону');
    const empty = await staffPost(agent, `/admin/feedback/${id}/answer`, { answer: ' ' }, `/admin/feedback/${id}`);
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Введите текст ответа');
    const res = await staffPost(agent, `/admin/feedback/${id}/answer`, { answer: 'Объяснили тарифы' }, `/admin/feedback/${id}`);
    expect(res.headers.location).toBe(`/admin/feedback/${id}?done=phone`);
    expect(await t.ctx.db('outbox')).toHaveLength(0);
    expect(await t.ctx.db('feedback').where({ id }).first()).toMatchObject({ status: 'answered', answer_channel: 'phone', answer: 'Объяснили тарифы' });
    expect((await agent.get(res.headers.location)).text).toContain('по телефону');
  });

  it('shows HTML in a question and in an answer as text', async () => {
    const id = await newFeedback({ question: '<script>alert(1)</script> вопрос' });
    const { agent } = await staffAgent(t, 'support');
    expect((await agent.get('/admin/feedback')).text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; вопрос');
    await staffPost(agent, `/admin/feedback/${id}/answer`, { answer: '<img src=x onerror=alert(2)>' }, `/admin/feedback/${id}`);
    const page = await agent.get(`/admin/feedback/${id}`);
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('<img src=x');
  });

  it('refuses cashier and content (403, nothing changed) and a post without the csrf token', async () => {
    const id = await newFeedback();
    for (const role of ['cashier', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      expect((await agent.get('/admin/feedback')).status).toBe(403);
      expect((await agent.get(`/admin/feedback/${id}`)).status).toBe(403);
      expect((await staffPost(agent, `/admin/feedback/${id}/answer`, { answer: 'x' })).status).toBe(403);
    }
    const { agent } = await staffAgent(t, 'support');
    expect((await agent.post(`/admin/feedback/${id}/answer`).type('form').send({ answer: 'x' })).status).toBe(403);
    expect(await t.ctx.db('feedback').where({ id }).first()).toMatchObject({ status: 'new', answer: null });
    expect(await t.ctx.db('outbox')).toHaveLength(0);
  });
});

describe('the outbox', () => {
  it('lists messages by state and channel with the recipient masked and never the text', async () => {
    const failed = await failedMessage();
    await enqueue(t.ctx, t.ctx.db, { channel: 'email', recipient: 'ivan.petrov@mail.ru', subject: 's', text: 'https://x/?token=abc', topic: 'contacts' });
    for (const role of ['admin', 'support'] as const) {
      const { agent } = await staffAgent(t, role);
      const all = await agent.get('/admin/outbox');
      expect(all.status).toBe(200);
      expect(all.text).toContain('+7 *** ***-45-67');
      expect(all.text).toContain('iv***@mail.ru');
      expect(all.text).not.toContain('123456');
      expect(all.text).not.toContain('token=abc');
      expect(all.text).not.toContain('ivan.petrov');
      const onlyFailed = await agent.get('/admin/outbox?state=failed&channel=sms');
      expect(onlyFailed.text).toContain(`action="/admin/outbox/${failed}/retry"`);
      expect(onlyFailed.text).toContain('SMS.ru 500: gateway down');
      expect(onlyFailed.text).not.toContain('***@mail.ru');
    }
  });

  it('«Повторить» queues a failed message again and audits it; a sent one and a one-time code are refused', async () => {
    const failed = await failedMessage();
    const sent = await failedMessage({ state: 'sent' });
    const code = await failedMessage({ oneTimeCode: true });
    const { agent, staff } = await staffAgent(t, 'support');
    const res = await staffPost(agent, `/admin/outbox/${failed}/retry`, {}, '/admin/outbox');
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).text).toContain(`Сообщение №\u00a0${failed} снова в очереди.`);
    expect(await t.ctx.db('outbox').where({ id: failed }).first()).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await audits('outbox_retry')).toEqual([expect.objectContaining({ actor_id: staff.id })]);
    const again = await staffPost(agent, `/admin/outbox/${sent}/retry`, {}, '/admin/outbox');
    expect(again.status).toBe(409);
    expect(again.text).toContain(`Сообщение №\u00a0${sent} не в состоянии «Не отправлено»`);
    const refused = await staffPost(agent, `/admin/outbox/${code}/retry`, {}, '/admin/outbox');
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('одноразовый код');
    expect(await t.ctx.db('outbox').where({ id: sent }).first()).toMatchObject({ state: 'sent' });
    expect(await t.ctx.db('outbox').where({ id: code }).first()).toMatchObject({ state: 'failed' });
    expect(await audits('outbox_retry')).toHaveLength(1);
  });

  it('refuses cashier and content (403, nothing changed) and a post without the csrf token', async () => {
    const failed = await failedMessage();
    for (const role of ['cashier', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      expect((await agent.get('/admin/outbox')).status).toBe(403);
      expect((await staffPost(agent, `/admin/outbox/${failed}/retry`, {})).status).toBe(403);
    }
    const { agent } = await staffAgent(t, 'admin');
    expect((await agent.post(`/admin/outbox/${failed}/retry`).type('form').send({})).status).toBe(403);
    expect(await t.ctx.db('outbox').where({ id: failed }).first()).toMatchObject({ state: 'failed' });
  });
});

describe('jobs', () => {
  it('shows failed jobs with their error to an admin, and «Повторить» runs one again, audited', async () => {
    const id = await failedJob();
    const done = await failedJob('done');
    const { agent, staff } = await staffAgent(t, 'admin');
    const page = await agent.get('/admin/jobs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Error: &lt;boom&gt;');
    expect(page.text).toContain(`action="/admin/jobs/${id}/retry"`);
    const res = await staffPost(agent, `/admin/jobs/${id}/retry`, {}, '/admin/jobs');
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).text).toContain(`Задание №\u00a0${id} снова в очереди.`);
    expect(await t.ctx.db('jobs').where({ id }).first()).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await audits('job_retry')).toEqual([expect.objectContaining({ actor_id: staff.id })]);
    const notFailed = await staffPost(agent, `/admin/jobs/${done}/retry`, {}, '/admin/jobs');
    expect(notFailed.status).toBe(409);
    expect(notFailed.text).toContain('не в состоянии «Сбой»');
  });

  it('refuses support, cashier and content (403, nothing changed) and a post without the csrf token', async () => {
    const id = await failedJob();
    for (const role of ['support', 'cashier', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      expect((await agent.get('/admin/jobs')).status).toBe(403);
      expect((await staffPost(agent, `/admin/jobs/${id}/retry`, {})).status).toBe(403);
    }
    const { agent } = await staffAgent(t, 'admin');
    expect((await agent.post(`/admin/jobs/${id}/retry`).type('form').send({})).status).toBe(403);
    expect(await t.ctx.db('jobs').where({ id }).first()).toMatchObject({ status: 'failed' });
    expect(await audits('job_retry')).toHaveLength(0);
  });
});

