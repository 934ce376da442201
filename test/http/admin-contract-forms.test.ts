// «Новый договор», «Изменить данные», «Сменить тариф», «Сбросить пароль» and the one-time credentials page (issue 11).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChargeDay } from '../../src/billing/charges';
import { makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract, makeTariff, makeTown } from '../support/factories';
import { staffAgent, staffCsrf, staffPost, type StaffAgent } from '../support/staff';

let t: TestApp;
let smsFile: string;
beforeEach(async () => {
  smsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-sms-')), 'sms.jsonl');
  t = await makeTestApp({ SMS_FILE: smsFile, EMAIL_FILE: `${smsFile}.email`, PUBLIC_URL: 'https://lk.example.ru' });
});
afterEach(() => t.close());

const sms = (): { to: string; text: string }[] => (fs.existsSync(smsFile) ? fs.readFileSync(smsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
const audits = (action: string) => t.ctx.db('audit_log').where({ action }).orderBy('id');
const json = (s: string | null) => (s ? JSON.parse(s) : null);
const passwordOn = (html: string) => /data-testid="password">([^<]+)</.exec(html)?.[1] ?? null;
const countContracts = async () => Number((await t.ctx.db('contracts').count<{ n: number }[]>({ n: '*' }))[0].n);

/** A town with a tariff on sale, an archived one, and a tariff of another town; the support numbers in the footer. */
async function catalogue() {
  const town = await makeTown(t.ctx, { name: 'Новокузнецк' });
  const other = await makeTown(t.ctx, { name: 'Осинники' });
  const tariff = await makeTariff(t.ctx, { name: 'Домашний 100', fee: 60000, townIds: [town.id] });
  const archived = await makeTariff(t.ctx, { name: 'Старый', archived: true, townIds: [town.id] });
  const elsewhere = await makeTariff(t.ctx, { name: 'Осинники 50', townIds: [other.id] });
  await t.ctx.db('contact_phones').insert({ label: 'Техподдержка', phone: '+73843756000', in_footer: true, position: 1 });
  return { town, other, tariff, archived, elsewhere };
}

const good = (c: Awaited<ReturnType<typeof catalogue>>, over: Record<string, string> = {}) => ({
  name: 'Иванов Иван Иванович', town: String(c.town.id), address: 'ул. Кирова, д. 10, кв. 5', phones: '8 905 123-45-67, 8 (3843) 75-60-01',
  email: 'Ivanov@Example.ru', tariff: String(c.tariff.id), start: '2026-11-24', ...over,
});

const createContract = (agent: StaffAgent, fields: Record<string, string>) => staffPost(agent, '/admin/contracts/new', fields, '/admin/contracts/new');

describe('«Новый договор»', () => {
  it('issues the next number, shows the login, the password, the portal and the support numbers once, and the subscriber signs in with them', async () => {
    const c = await catalogue();
    const { agent, staff } = await staffAgent(t, 'cashier');
    const form = await agent.get('/admin/contracts/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="2026-11-24"'); // today in the provider's zone
    expect(form.text).toContain('<optgroup label="Новокузнецк">');
    expect(form.text).not.toContain('Старый');

    const res = await createContract(agent, good(c));
    expect(res.status).toBe(303);
    const row = await t.ctx.db('contracts').where({ name: 'Иванов Иван Иванович' }).first();
    expect(row).toMatchObject({ number: '100001', email: 'ivanov@example.ru', tariff_id: c.tariff.id, town_id: c.town.id, start_day: '2026-11-24', status: 'active' });
    expect(res.headers.location).toBe(`/admin/contracts/${row.id}/credentials?created=1`);
    expect(await t.ctx.db('contract_phones').where({ contract_id: row.id }).orderBy('id').pluck('phone')).toEqual(['+79051234567', '+73843756001']);

    const print = await agent.get(res.headers.location);
    expect(print.status).toBe(200);
    expect(print.text).toContain('Данные для входа в личный кабинет');
    expect(print.text).toContain('data-testid="login">100001<');
    expect(print.text).toContain('https://lk.example.ru');
    expect(print.text).toContain('+7 (3843) 75-60-00');
    expect(print.text).toContain('class="no-print"');
    const password = passwordOn(print.text)!;
    expect(password).toMatch(/^[a-z2-9]{10}$/);
    expect(row.password_hash).not.toContain(password);

    const again = await agent.get(res.headers.location);
    expect(again.status).toBe(200);
    expect(again.text).toContain('Пароль уже был показан. Сбросьте пароль, чтобы напечатать новый.');
    expect(passwordOn(again.text)).toBeNull();
    expect(again.text).not.toContain(password);

    const [a] = await audits('contract_created');
    expect(a).toMatchObject({ actor: 'staff', actor_id: staff.id, contract_id: row.id });
    expect(json(a.after)).toMatchObject({ number: '100001', name: 'Иванов Иван Иванович', phones: ['+79051234567', '+73843756001'], start_day: '2026-11-24' });
    const everything = JSON.stringify(await t.ctx.db('audit_log').select()) + JSON.stringify(await t.ctx.db('sessions').select());
    expect(everything).not.toContain(password);

    const { agent: subscriber } = await signIn(t.app, '100001', password);
    expect((await subscriber.get('/cabinet')).status).toBe(200);
  });

  it('gives two contracts made at once different numbers, after the largest number made of digits', async () => {
    const c = await catalogue();
    await makeContract(t.ctx, { number: '100500' });
    await makeContract(t.ctx, { number: 'A-900000' });
    const one = await staffAgent(t, 'cashier');
    const two = await staffAgent(t, 'admin');
    const [t1, t2] = [await staffCsrf(one.agent, '/admin/contracts/new'), await staffCsrf(two.agent, '/admin/contracts/new')];
    const [r1, r2] = await Promise.all([
      one.agent.post('/admin/contracts/new').type('form').send({ _csrf: t1, ...good(c, { name: 'Первый' }) }),
      two.agent.post('/admin/contracts/new').type('form').send({ _csrf: t2, ...good(c, { name: 'Второй' }) }),
    ]);
    expect([r1.status, r2.status]).toEqual([303, 303]);
    const numbers = await t.ctx.db('contracts').whereIn('name', ['Первый', 'Второй']).orderBy('number').pluck('number');
    expect(numbers).toEqual(['100501', '100502']);
  });

  it.each([
    ['an empty name', { name: '  ' }, 'Введите ФИО абонента'],
    ['a bad phone', { phones: '8 905 123' }, 'Телефон «8 905 123» набран с ошибкой'],
    ['no phone', { phones: ' , ' }, 'Введите хотя бы один телефон'],
    ['a bad e-mail', { email: 'ivanov@' }, 'Введите адрес почты так: name@example.ru'],
    ['an empty address', { address: '' }, 'Введите адрес подключения'],
    ['a date in the past', { start: '23.11.2026' }, 'Дата начала не может быть раньше сегодняшнего дня (24.11.2026)'],
    ['a date too far ahead', { start: '2027-01-24' }, 'Дата начала — не позже 23.01.2027'],
    ['a date that is not one', { start: '31.02.2026' }, 'Введите дату так: 24.11.2026'],
  ])('refuses %s with 422 and a Russian message, keeping what was typed', async (_name, over, message) => {
    const c = await catalogue();
    const { agent } = await staffAgent(t, 'cashier');
    const res = await createContract(agent, good(c, over));
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(res.text).toContain(`value="${'address' in over ? over.address : 'ул. Кирова, д. 10, кв. 5'}"`);
    expect(await countContracts()).toBe(0);
  });

  it('refuses an archived tariff and a tariff not sold in the chosen town', async () => {
    const c = await catalogue();
    const { agent } = await staffAgent(t, 'cashier');
    const archived = await createContract(agent, good(c, { tariff: String(c.archived.id) }));
    expect(archived.status).toBe(422);
    expect(archived.text).toContain('Этот тариф в архиве и больше не подключается');
    const elsewhere = await createContract(agent, good(c, { tariff: String(c.elsewhere.id) }));
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.text).toContain('Этот тариф не подключается в выбранном городе');
    expect(await countContracts()).toBe(0);
    expect(await audits('contract_created')).toHaveLength(0);
  });

  it('is not charged before its start date, and is charged from it', async () => {
    const c = await catalogue();
    const { agent } = await staffAgent(t, 'cashier');
    await createContract(agent, good(c, { start: '2026-11-26' }));
    const id = (await t.ctx.db('contracts').first('id')).id as number;
    const opts = { timeZone: t.ctx.config.timeZone, pausedDailyFeeKopecks: 0 };
    for (const day of ['2026-11-24', '2026-11-25', '2026-11-26']) {
      t.clock.set(`${day}T00:10:00.000+07:00`);
      await runChargeDay(t.ctx.db, day, { ...opts, now: t.clock.now() });
    }
    expect(await t.ctx.db('ledger_entries').where({ contract_id: id, kind: 'charge' }).pluck('period_from')).toEqual(['2026-11-26']);
  });
});

describe('«Изменить данные»', () => {
  it('saves the name, address, town, phones and e-mail and audits only what changed, before and after', async () => {
    const c = await catalogue();
    const contract = await makeContract(t.ctx, { phones: ['+79131234567'] });
    await t.ctx.db('tariff_towns').insert({ tariff_id: contract.tariffId, town_id: c.town.id });
    const { agent } = await staffAgent(t, 'cashier');
    const page = await agent.get(`/admin/contracts/${contract.id}/edit`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="+79131234567"');
    const row = await t.ctx.db('contracts').where({ id: contract.id }).first();
    const res = await staffPost(agent, `/admin/contracts/${contract.id}/edit`, {
      name: 'Петров Пётр', town: String(c.town.id), address: row.address, email: '', phones: '+7 913 123-45-67; 8-905-000-00-01',
    }, `/admin/contracts/${contract.id}/edit`);
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).text).toContain('Данные абонента сохранены.');
    expect(await t.ctx.db('contracts').where({ id: contract.id }).first()).toMatchObject({ name: 'Петров Пётр', town_id: c.town.id, address: row.address });
    const [a] = await audits('contract_updated');
    expect(json(a.before)).toEqual({ name: row.name, town_id: row.town_id, phones: ['+79131234567'] });
    expect(json(a.after)).toEqual({ name: 'Петров Пётр', town_id: c.town.id, phones: ['+79131234567', '+79050000001'] });
  });

  it('refuses a bad phone with 422 and changes nothing, and refuses a town where the contract\'s tariff is not sold', async () => {
    const c = await catalogue();
    const contract = await makeContract(t.ctx, { phones: ['+79131234567'] });
    const { agent } = await staffAgent(t, 'admin');
    const row = await t.ctx.db('contracts').where({ id: contract.id }).first();
    const base = { name: row.name, town: String(row.town_id), address: row.address, email: '', phones: '+79131234567' };
    const bad = await staffPost(agent, `/admin/contracts/${contract.id}/edit`, { ...base, name: 'Новое имя', phones: '12345' }, `/admin/contracts/${contract.id}/edit`);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Телефон «12345» набран с ошибкой');
    const town = await staffPost(agent, `/admin/contracts/${contract.id}/edit`, { ...base, town: String(c.other.id) }, `/admin/contracts/${contract.id}/edit`);
    expect(town.status).toBe(422);
    expect(town.text).toContain('Тариф договора не подключается в этом городе');
    expect(await t.ctx.db('contracts').where({ id: contract.id }).first()).toMatchObject({ name: row.name, town_id: row.town_id });
    expect(await audits('contract_updated')).toHaveLength(0);
  });

  it('lets support change phones and e-mail only: 403 on the name or address, and on «Новый договор»', async () => {
    await catalogue();
    const contract = await makeContract(t.ctx, { phones: ['+79131234567'] });
    const { agent } = await staffAgent(t, 'support');
    const page = await agent.get(`/admin/contracts/${contract.id}/edit`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('name="name"');
    expect(page.text).toContain('name="phones"');
    const ok = await staffPost(agent, `/admin/contracts/${contract.id}/edit`, { phones: '89039876543', email: 'new@example.ru' }, `/admin/contracts/${contract.id}/edit`);
    expect(ok.status).toBe(303);
    expect(await t.ctx.db('contract_phones').where({ contract_id: contract.id }).pluck('phone')).toEqual(['+79039876543']);
    const before = await t.ctx.db('contracts').where({ id: contract.id }).first();
    const refused = await staffPost(agent, `/admin/contracts/${contract.id}/edit`, { name: 'Другое имя', address: 'x', phones: '89039876543' }, `/admin/contracts/${contract.id}/edit`);
    expect(refused.status).toBe(403);
    expect(await t.ctx.db('contracts').where({ id: contract.id }).first()).toMatchObject({ name: before.name, address: before.address });
    expect((await agent.get('/admin/contracts/new')).status).toBe(403);
    expect((await staffPost(agent, '/admin/contracts/new', { name: 'x' })).status).toBe(403);
    expect((await agent.get(`/admin/contracts/${contract.id}/tariff`)).status).toBe(403);
    expect((await agent.get(`/admin/contracts/${contract.id}/password`)).status).toBe(200);
    expect(await audits('staff_forbidden')).toHaveLength(2);
  });

  it('gives content 403 on every page and form of this area, and changes nothing', async () => {
    const contract = await makeContract(t.ctx, { phones: ['+79131234567'] });
    const { agent } = await staffAgent(t, 'content');
    const pages = ['/admin/contracts/new', `/admin/contracts/${contract.id}/edit`, `/admin/contracts/${contract.id}/tariff`, `/admin/contracts/${contract.id}/password`];
    for (const p of [...pages, `/admin/contracts/${contract.id}/credentials`]) expect((await agent.get(p)).status).toBe(403);
    for (const p of [...pages, `/admin/contracts/${contract.id}/tariff/confirm`]) {
      expect((await staffPost(agent, p, { via: 'print', name: 'x', phones: '89039876543' })).status).toBe(403);
    }
    expect(await audits('password_reset_by_staff')).toHaveLength(0);
    expect(await countContracts()).toBe(1);
  });

  it('refuses a form without the csrf token (403)', async () => {
    const c = await catalogue();
    const contract = await makeContract(t.ctx, { phones: ['+79131234567'] });
    const { agent } = await staffAgent(t, 'admin');
    await agent.get('/admin/contracts/new');
    expect((await agent.post('/admin/contracts/new').type('form').send(good(c))).status).toBe(403);
    expect((await agent.post(`/admin/contracts/${contract.id}/password`).type('form').send({ via: 'print' })).status).toBe(403);
    expect((await agent.post(`/admin/contracts/${contract.id}/edit`).type('form').send({ phones: '89039876543' })).status).toBe(403);
    expect(await countContracts()).toBe(1);
  });
});

describe('«Сменить тариф»', () => {
  it('checks the choice with the tariff-change service, then applies it and audits it as the staff member\'s', async () => {
    const contract = await makeContract(t.ctx, { fee: 60000, payments: [{ amount: 100000, at: '2026-11-20T05:00:00.000Z' }] });
    const better = await makeTariff(t.ctx, { name: 'Быстрый 500', fee: 90000, townIds: [contract.townId] });
    const { agent, staff } = await staffAgent(t, 'cashier');
    const page = await agent.get(`/admin/contracts/${contract.id}/tariff`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Быстрый 500');
    const check = await staffPost(agent, `/admin/contracts/${contract.id}/tariff`, { tariff: String(better.id), when: 'today' }, `/admin/contracts/${contract.id}/tariff`);
    expect(check.status).toBe(200);
    expect(check.text).toContain('Проверьте, прежде чем сменить тариф');
    const key = /name="key" value="([^"]+)"/.exec(check.text)![1];
    const done = await staffPost(agent, `/admin/contracts/${contract.id}/tariff/confirm`, { tariff: String(better.id), when: 'today', key }, `/admin/contracts/${contract.id}/tariff`);
    expect(done.status).toBe(303);
    expect((await agent.get(done.headers.location)).text).toContain('Тариф сменён');
    expect((await t.ctx.db('contracts').where({ id: contract.id }).first()).tariff_id).toBe(better.id);
    const [a] = await audits('tariff_change_by_staff');
    expect(a).toMatchObject({ actor: 'staff', actor_id: staff.id, contract_id: contract.id });
    expect(json(a.before)).toEqual({ tariff_id: contract.tariffId });
    expect(json(a.after)).toEqual({ tariff_id: better.id, effective_day: '2026-11-24' });
    expect(await audits('tariff_change_applied')).toHaveLength(0);
  });

  it('shows the rules\' refusals in Russian: a blocked contract, a short balance', async () => {
    const blocked = await makeContract(t.ctx, { status: 'blocked' });
    const { agent } = await staffAgent(t, 'admin');
    const page = await agent.get(`/admin/contracts/${blocked.id}/tariff`);
    expect(page.text).toContain('Договор заблокирован: сменить тариф сейчас нельзя.');
    const poor = await makeContract(t.ctx, { fee: 60000 });
    const dear = await makeTariff(t.ctx, { fee: 300000, townIds: [poor.townId] });
    const short = await staffPost(agent, `/admin/contracts/${poor.id}/tariff`, { tariff: String(dear.id), when: 'today' }, `/admin/contracts/${poor.id}/tariff`);
    expect(short.status).toBe(422);
    expect(short.text).toContain('Денег не хватает на первый день нового тарифа');
    expect((await t.ctx.db('contracts').where({ id: poor.id }).first()).tariff_id).toBe(poor.tariffId);
  });
});

describe('«Сбросить пароль»', () => {
  it('prints a new password once: the old one is refused at once and the subscriber\'s sessions end', async () => {
    const contract = await makeContract(t.ctx, { password: 'old password 1', phones: ['+79131234567'] });
    const { agent: subscriber } = await signIn(t.app, contract.number, 'old password 1');
    const { agent } = await staffAgent(t, 'support');
    const res = await staffPost(agent, `/admin/contracts/${contract.id}/password`, { via: 'print' }, `/admin/contracts/${contract.id}/password`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/contracts/${contract.id}/credentials`);
    const print = await agent.get(res.headers.location);
    const password = passwordOn(print.text)!;
    expect(password).toMatch(/^[a-z2-9]{10}$/);
    expect((await agent.get(res.headers.location)).text).toContain('Пароль уже был показан');

    expect((await subscriber.get('/cabinet')).status).toBe(303);
    await expect(signIn(t.app, contract.number, 'old password 1')).rejects.toThrow('sign-in failed');
    expect((await signIn(t.app, contract.number, password)).res.status).toBe(303);
    const [a] = await audits('password_reset_by_staff');
    expect(json(a.detail)).toMatchObject({ via: 'print', sessionsEnded: 1 });
    expect(JSON.stringify(await t.ctx.db('audit_log').select())).not.toContain(password);
  });

  it('sends a new password by SMS to the bound phone picked, through the outbox', async () => {
    const contract = await makeContract(t.ctx, { password: 'old password 1', phones: ['+79131234567', '+79039876543'] });
    const { agent } = await staffAgent(t, 'cashier');
    const page = await agent.get(`/admin/contracts/${contract.id}/password`);
    expect(page.text).toContain('+7 (903) 987-65-43');
    const res = await staffPost(agent, `/admin/contracts/${contract.id}/password`, { via: 'sms', phone: '1' }, `/admin/contracts/${contract.id}/password`);
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).text).toContain('Новый пароль отправлен SMS на +7 *** ***-65-43');
    const row = await t.ctx.db('outbox').where({ contract_id: contract.id, topic: 'password_reset' }).first();
    expect(row).toMatchObject({ channel: 'sms', recipient: '+79039876543' });
    expect(sms()).toHaveLength(1);
    const password = /пароль (\d{12})/.exec(sms()[0].text)![1];
    expect(row.body).not.toContain(password); // masked once sent
    await expect(signIn(t.app, contract.number, 'old password 1')).rejects.toThrow('sign-in failed');
    expect((await signIn(t.app, contract.number, password)).res.status).toBe(303);
    const [a] = await audits('password_reset_by_staff');
    expect(json(a.detail)).toMatchObject({ via: 'sms', phone: '+7 *** ***-65-43' });
    expect(JSON.stringify(await t.ctx.db('audit_log').select())).not.toContain(password);
  });

  it('asks for a phone when none is picked, and changes nothing', async () => {
    const contract = await makeContract(t.ctx, { password: 'old password 1', phones: ['+79131234567'] });
    const { agent } = await staffAgent(t, 'cashier');
    const res = await staffPost(agent, `/admin/contracts/${contract.id}/password`, { via: 'sms', phone: '7' }, `/admin/contracts/${contract.id}/password`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Выберите номер из списка');
    expect((await signIn(t.app, contract.number, 'old password 1')).res.status).toBe(303);
    expect(await audits('password_reset_by_staff')).toHaveLength(0);
  });
});
