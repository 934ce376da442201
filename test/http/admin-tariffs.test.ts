// «Тарифы»: create, edit, archive, and «Изменение цены» from a coming day: the contracts it touches, one notice each,
// the charge at the old fee before the day and at the new one from it, a cancel before it applies.
import { runChargeDay } from '../../src/billing/charges';
import { sendPriceNotices } from '../../src/admin/tariffs/jobs';
import { createJobs } from '../../src/jobs/service';
import { jobHandlers } from '../../src/schedule';
import { createServices } from '../../src/services';
import { makeTestApp, type TestApp } from '../support/app';
import { makeContract, makeTariff, makeTown } from '../support/factories';
import { staffAgent, staffPost, type StaffAgent } from '../support/staff';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const audits = (action: string) => t.ctx.db('audit_log').where({ action }).select('actor_id', 'before', 'after');
const tariffRow = (id: number) => t.ctx.db('tariffs').where({ id }).first();
const TARIFF_FIELDS = { name: 'Домашний 500', code: 'home500', segment: 'flat', internet_mbps: '500', tv_package: '', tv_channels: '', position: '3' };

/** n contracts moved onto one tariff (fee 600 ₽), with an e-mail each. */
async function tariffWithContracts(n: number) {
  const town = await makeTown(t.ctx, { name: 'Прокопьевск' });
  const tariff = await makeTariff(t.ctx, { name: 'Домашний 100', fee: 60000, townIds: [town.id] });
  const contracts = [];
  for (let i = 0; i < n; i++) {
    const c = await makeContract(t.ctx, { fee: 60000, payments: [{ amount: 100000, at: '2026-11-24T04:00:00.000Z' }] });
    await t.ctx.db('contracts').where({ id: c.id }).update({ tariff_id: tariff.id, town_id: town.id, email: `c${i}@example.ru` });
    contracts.push(c);
  }
  return { tariff, town, contracts };
}

const chargeOf = async (contractId: number, day: string) =>
  (await t.ctx.db('ledger_entries').where({ contract_id: contractId, kind: 'charge', period_from: day }).first())?.amount_kopecks;
const chargeDay = (day: string) => runChargeDay(t.ctx.db, day, { timeZone: t.ctx.config.timeZone, now: t.clock.now(), pausedDailyFeeKopecks: 0 });
const runJobs = () => createJobs(t.ctx, jobHandlers(t.ctx, createServices(t.ctx))).runDue();

async function schedulePrice(agent: StaffAgent, tariffId: number, from: string, fee: string) {
  const page = await agent.get(`/admin/tariffs/${tariffId}/price?from=${from}&fee=${encodeURIComponent(fee)}`);
  const notice = /<textarea[^>]*name="notice"[^>]*>([^<]*)<\/textarea>/.exec(page.text)![1];
  return { page, res: await staffPost(agent, `/admin/tariffs/${tariffId}/price`, { from, fee, notice: notice.replace(/&#34;/g, '"').replace(/&lt;/g, '<') }, `/admin/tariffs/${tariffId}/price`) };
}

describe('the tariffs list and form', () => {
  it('shows admin and content every tariff, archived ones too, with the contracts on each', async () => {
    const { tariff } = await tariffWithContracts(2);
    await makeTariff(t.ctx, { name: 'Старый тариф', archived: true });
    for (const role of ['admin', 'content'] as const) {
      const { agent } = await staffAgent(t, role);
      const page = await agent.get('/admin/tariffs');
      expect(page.status).toBe(200);
      expect(page.text).toContain('Домашний 100');
      expect(page.text).toContain('Старый тариф');
      expect(page.text).toContain('в архиве');
      expect(page.text).toMatch(new RegExp(`id="tariff-${tariff.id}"[\\s\\S]*?<td class="num">2</td>`));
      expect((await agent.get('/admin/tariffs/new')).status).toBe(200);
      expect((await agent.get(`/admin/tariffs/${tariff.id}/edit`)).status).toBe(200);
      expect((await agent.get(`/admin/tariffs/${tariff.id}/price`)).status).toBe(200);
    }
  });

  it('is closed to a cashier and support (403): pages and POSTs, nothing changed', async () => {
    const { tariff } = await tariffWithContracts(1);
    for (const role of ['cashier', 'support'] as const) {
      const { agent } = await staffAgent(t, role);
      for (const path of ['/admin/tariffs', '/admin/tariffs/new', `/admin/tariffs/${tariff.id}/edit`, `/admin/tariffs/${tariff.id}/price`]) {
        expect((await agent.get(path)).status).toBe(403);
      }
      expect((await staffPost(agent, '/admin/tariffs/new', { ...TARIFF_FIELDS, fee: '700' })).status).toBe(403);
      expect((await staffPost(agent, `/admin/tariffs/${tariff.id}/edit`, { ...TARIFF_FIELDS })).status).toBe(403);
      expect((await staffPost(agent, `/admin/tariffs/${tariff.id}/archive`, { archived: '1' })).status).toBe(403);
      expect((await staffPost(agent, `/admin/tariffs/${tariff.id}/price`, { from: '2027-01-01', fee: '700', notice: 'x' })).status).toBe(403);
    }
    expect(await t.ctx.db('tariffs').where({ code: 'home500' })).toHaveLength(0);
    expect(await tariffRow(tariff.id)).toMatchObject({ name: 'Домашний 100', monthly_fee_kopecks: 60000 });
    expect(Boolean((await tariffRow(tariff.id)).archived)).toBe(false);
    expect(await t.ctx.db('tariff_price_changes')).toHaveLength(0);
  });

  it('creates a tariff with its towns and fee, and edits it without touching the fee', async () => {
    const { agent, staff } = await staffAgent(t, 'content');
    const a = await makeTown(t.ctx, { name: 'Осинники' });
    const b = await makeTown(t.ctx, { name: 'Калтан' });
    const res = await agent.post('/admin/tariffs/new').type('form')
      .send(`_csrf=${encodeURIComponent(await csrfOf(agent, '/admin/tariffs/new'))}&${new URLSearchParams({ ...TARIFF_FIELDS, fee: '1 234,50' })}&towns=${a.id}&towns=${b.id}`);
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).text).toContain('Тариф создан.');
    const made = await t.ctx.db('tariffs').where({ code: 'home500' }).first();
    expect(made).toMatchObject({ name: 'Домашний 500', internet_mbps: 500, monthly_fee_kopecks: 123450, position: 3 });
    expect((await t.ctx.db('tariff_towns').where({ tariff_id: made.id }).orderBy('town_id')).map((r) => r.town_id)).toEqual([a.id, b.id]);
    const [created] = await audits('tariff_created');
    expect(created.actor_id).toBe(staff.id);
    expect(JSON.parse(created.after)).toMatchObject({ code: 'home500', fee: 123450, towns: [a.id, b.id] });

    const edit = await staffPost(agent, `/admin/tariffs/${made.id}/edit`, { ...TARIFF_FIELDS, name: 'Домашний 500+', tv_package: 'Цифровое ТВ', tv_channels: '150', fee: '1', towns: String(a.id) }, `/admin/tariffs/${made.id}/edit`);
    expect(edit.status).toBe(303);
    expect(await tariffRow(made.id)).toMatchObject({ name: 'Домашний 500+', tv_package: 'Цифровое ТВ', tv_channels: 150, monthly_fee_kopecks: 123450 });
    const [updated] = await audits('tariff_updated');
    expect(JSON.parse(updated.before)).toEqual({ tariffId: made.id, name: 'Домашний 500', tv_package: null, tv_channels: null, towns: [a.id, b.id] });
    expect(JSON.parse(updated.after)).toEqual({ tariffId: made.id, name: 'Домашний 500+', tv_package: 'Цифровое ТВ', tv_channels: 150, towns: [a.id] });
  });

  it('refuses a taken code, a bad code, an empty name, a bad speed, no service at all and a bad fee (422), keeping what was typed', async () => {
    const { agent } = await staffAgent(t, 'admin');
    await makeTariff(t.ctx, { name: 'Есть' });
    const taken = (await t.ctx.db('tariffs').first()).code;
    const cases: [Record<string, string>, string][] = [
      [{ ...TARIFF_FIELDS, code: taken, fee: '700' }, 'Этот код уже у другого тарифа'],
      [{ ...TARIFF_FIELDS, code: 'Домашний', fee: '700' }, 'Код: от 2 до 40 символов'],
      [{ ...TARIFF_FIELDS, name: '', fee: '700' }, 'Введите название'],
      [{ ...TARIFF_FIELDS, internet_mbps: 'быстро', fee: '700' }, 'Скорость — целое число'],
      [{ ...TARIFF_FIELDS, internet_mbps: '', fee: '700' }, 'интернет или телевидение'],
      [{ ...TARIFF_FIELDS, fee: 'сто' }, 'Введите сумму в рублях'],
      [{ ...TARIFF_FIELDS, segment: 'castle', fee: '700' }, 'Выберите, для кого тариф'],
      [{ ...TARIFF_FIELDS, fee: '700', towns: '99999' }, 'Выберите города из списка'],
    ];
    for (const [fields, message] of cases) {
      const res = await staffPost(agent, '/admin/tariffs/new', fields, '/admin/tariffs/new');
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`value="${fields.name}"`);
    }
    expect(await t.ctx.db('tariffs')).toHaveLength(1);
    const noToken = await agent.post('/admin/tariffs/new').type('form').send({ ...TARIFF_FIELDS, fee: '700' });
    expect(noToken.status).toBe(403);
    expect(await t.ctx.db('tariffs')).toHaveLength(1);
  });

  it('archives a tariff: no longer offered on the site, contracts keep it; and brings it back', async () => {
    const { agent } = await staffAgent(t, 'content');
    const { tariff, contracts } = await tariffWithContracts(1);
    expect((await agent.get('/tariffs')).text).toContain('Домашний 100');
    const res = await staffPost(agent, `/admin/tariffs/${tariff.id}/archive`, { archived: '1' }, '/admin/tariffs');
    expect(res.headers.location).toBe('/admin/tariffs?done=archived');
    expect(Boolean((await tariffRow(tariff.id)).archived)).toBe(true);
    expect((await agent.get('/tariffs')).text).not.toContain('Домашний 100');
    expect((await t.ctx.db('contracts').where({ id: contracts[0].id }).first()).tariff_id).toBe(tariff.id);
    await staffPost(agent, `/admin/tariffs/${tariff.id}/archive`, { archived: '0' }, '/admin/tariffs');
    expect(Boolean((await tariffRow(tariff.id)).archived)).toBe(false);
    const rows = await audits('tariff_archived');
    expect(rows.map((r) => JSON.parse(r.after).archived)).toEqual([true, false]);
    expect((await staffPost(agent, '/admin/tariffs/99999/archive', { archived: '1' }, '/admin/tariffs')).status).toBe(404);
  });
});

async function csrfOf(agent: StaffAgent, path: string) {
  const page = await agent.get(path);
  return /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
}

describe('«Изменение цены»', () => {
  it('lists the contracts it touches, prefills the notice, warns when the day is under 10 days ahead', async () => {
    const { agent } = await staffAgent(t, 'content');
    const { tariff, contracts } = await tariffWithContracts(3);
    const soon = await agent.get(`/admin/tariffs/${tariff.id}/price?from=2026-12-01&fee=930`);
    expect(soon.status).toBe(200);
    expect(soon.text).toContain('Изменение коснётся 3 договоров.');
    for (const c of contracts) expect(soon.text).toContain(`<a href="/admin/contracts/${c.id}">${c.number}</a>`);
    expect(soon.text).toContain('Прокопьевск');
    expect(soon.text).toContain('меньше 10 дней');
    expect(soon.text).toContain('С 01.12.2026 абонентская плата по тарифу «Домашний 100» составит 930,00');
    const later = await agent.get(`/admin/tariffs/${tariff.id}/price?from=2027-01-01&fee=930`);
    expect(later.text).not.toContain('меньше 10 дней');
  });

  it('refuses a day that is not in the future, a bad date and a bad fee (422), writing nothing', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const { tariff } = await tariffWithContracts(1);
    const today = await agent.get(`/admin/tariffs/${tariff.id}/price?from=2026-11-24&fee=700`);
    expect(today.status).toBe(422);
    expect(today.text).toContain('не раньше завтрашнего дня (25.11.2026)');
    expect((await agent.get(`/admin/tariffs/${tariff.id}/price?from=31.02.2027&fee=700`)).status).toBe(422);
    expect((await agent.get(`/admin/tariffs/${tariff.id}/price?from=2027-01-01&fee=-5`)).status).toBe(422);
    const post = await staffPost(agent, `/admin/tariffs/${tariff.id}/price`, { from: '2026-11-24', fee: '700', notice: 'Текст' }, `/admin/tariffs/${tariff.id}/price`);
    expect(post.status).toBe(422);
    const empty = await staffPost(agent, `/admin/tariffs/${tariff.id}/price`, { from: '2027-01-01', fee: '700', notice: ' ' }, `/admin/tariffs/${tariff.id}/price`);
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Введите текст уведомления');
    const noToken = await agent.post(`/admin/tariffs/${tariff.id}/price`).type('form').send({ from: '2027-01-01', fee: '700', notice: 'x' });
    expect(noToken.status).toBe(403);
    expect(await t.ctx.db('tariff_price_changes')).toHaveLength(0);
  });

  it('stores the change, notifies each contract once, charges the old fee before the day and the new one from it', async () => {
    const { agent, staff } = await staffAgent(t, 'content');
    const { tariff, contracts } = await tariffWithContracts(3);
    const { res } = await schedulePrice(agent, tariff.id, '2026-12-01', '930');
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location)).text).toContain('Изменение цены сохранено');
    const [change] = await t.ctx.db('tariff_price_changes');
    expect(change).toMatchObject({ tariff_id: tariff.id, fee_kopecks: 93000, previous_fee_kopecks: 60000, from_day: '2026-12-01', created_by: staff.id, applied_at: null });
    const [a] = await audits('tariff_price_change');
    expect(JSON.parse(a.before)).toEqual({ tariffId: tariff.id, fee: 60000 });
    expect(JSON.parse(a.after)).toEqual({ tariffId: tariff.id, fee: 93000, fromDay: '2026-12-01', changeId: change.id });
    expect((await agent.get('/admin/tariffs')).text).toContain('с 01.12.2026: 930,00');

    await runJobs();
    await runJobs();
    await sendPriceNotices(t.ctx, change.id); // a retried job
    const notices = await t.ctx.db('notifications').where('idempotency_key', 'like', `tariff_price:${change.id}:%`);
    expect(notices.map((n) => n.contract_id).sort()).toEqual(contracts.map((c) => c.id).sort());
    expect(notices[0]).toMatchObject({ topic: 'prices', title: 'Изменение абонентской платы' });
    expect(notices[0].body).toContain('составит 930,00');
    const mails = await t.ctx.db('outbox').where({ channel: 'email' }).where('idempotency_key', 'like', `tariff_price:${change.id}:%`);
    expect(mails).toHaveLength(3);

    const c = contracts[0].id;
    await chargeDay('2026-11-30');
    expect(await chargeOf(c, '2026-11-30')).toBe(-2000); // 600 ₽ over 30 days
    expect((await tariffRow(tariff.id)).monthly_fee_kopecks).toBe(60000);
    await chargeDay('2026-12-01');
    await chargeDay('2026-12-02');
    expect(await chargeOf(c, '2026-12-01')).toBe(-3000); // 930 ₽ over 31 days
    expect(await chargeOf(c, '2026-12-02')).toBe(-3000);
    expect((await tariffRow(tariff.id)).monthly_fee_kopecks).toBe(93000);
    expect((await t.ctx.db('tariff_price_changes').first()).applied_at).not.toBeNull();
    // applied: no longer cancellable
    const late = await staffPost(agent, `/admin/tariffs/${tariff.id}/price/${change.id}/cancel`, {}, `/admin/tariffs/${tariff.id}/price`);
    expect(late.status).toBe(409);
  });

  it('allows one pending change per tariff, and a cancelled one is neither charged nor announced', async () => {
    const { agent } = await staffAgent(t, 'admin');
    const { tariff, contracts } = await tariffWithContracts(1);
    await schedulePrice(agent, tariff.id, '2026-12-01', '700');
    const second = await staffPost(agent, `/admin/tariffs/${tariff.id}/price`, { from: '2027-01-01', fee: '800', notice: 'Текст' }, `/admin/tariffs/${tariff.id}/price`);
    expect(second.status).toBe(409);
    expect(second.text).toContain('уже есть будущее изменение цены');
    const [change] = await t.ctx.db('tariff_price_changes');
    const { agent: cashier } = await staffAgent(t, 'cashier');
    expect((await staffPost(cashier, `/admin/tariffs/${tariff.id}/price/${change.id}/cancel`, {})).status).toBe(403);
    const cancel = await staffPost(agent, `/admin/tariffs/${tariff.id}/price/${change.id}/cancel`, {}, `/admin/tariffs/${tariff.id}/price`);
    expect(cancel.headers.location).toBe(`/admin/tariffs/${tariff.id}/price?cancelled=1`);
    expect((await t.ctx.db('tariff_price_changes').first()).cancelled_at).not.toBeNull();
    expect(await audits('tariff_price_change_cancelled')).toHaveLength(1);
    await runJobs();
    expect(await t.ctx.db('notifications').where('idempotency_key', 'like', 'tariff_price:%')).toHaveLength(0);
    await chargeDay('2026-12-01');
    expect(await chargeOf(contracts[0].id, '2026-12-01')).toBe(-1935); // 600 ₽ over 31 days: floor(60000/31)
    expect((await tariffRow(tariff.id)).monthly_fee_kopecks).toBe(60000);
    // a new change after the cancel is allowed
    expect((await schedulePrice(agent, tariff.id, '2027-01-01', '800')).res.status).toBe(303);
  });
});
