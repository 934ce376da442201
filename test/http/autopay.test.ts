// «Автоматический платёж» through the sandbox: turned on by a first payment that saves the card after the terms are
// accepted, the two rules across days and months with a moving clock, retries with backoff, a card refused for good,
// change and turn off in one step. Every charge and failure is a notice in the cabinet (notify()).
import request from 'supertest';
import type { AutopayInput } from '../../src/autopay/forms';
import { createAutopayService } from '../../src/autopay/service';
import { TERMS_TEXT, TERMS_VERSION } from '../../src/autopay/terms';
import { checkBalance, postEntry } from '../../src/billing/service';
import { toValue } from '../../src/gateway/types';
import type { CardPayments } from '../../src/card-payments/service';
import { createServices } from '../../src/services';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ AUTOPAY_RETRY_MINUTES: '60' });
});
afterEach(() => t.close());

type Agent = ReturnType<typeof request.agent>;
let seq = 0;
const charge = (contractId: number, amount: number) =>
  t.ctx.db.transaction((trx) => postEntry(trx, { contract_id: contractId, kind: 'charge', amount_kopecks: -amount, description: 'test', idempotency_key: `t:${++seq}`, occurred_at: t.clock.now().toISOString() }));
const autopayRow = (contractId: number) => t.ctx.db('autopay').where({ contract_id: contractId }).first();
const charges = (contractId: number) => t.ctx.db('autopay_charges').where({ contract_id: contractId }).orderBy('id');
const autopayPayments = (contractId: number) => t.ctx.db('payments').where({ contract_id: contractId, method: 'autopay' }).orderBy('id');
const notices = (contractId: number) => t.ctx.db('notifications').where({ contract_id: contractId }).orderBy('id').pluck('title');
const balance = async (contractId: number) => {
  const b = await checkBalance(t.ctx.db, contractId);
  expect(b.cached).toBe(b.ledger);
  return b.ledger;
};
const run = () => createServices(t.ctx).autopay.run();
/** Autopayment over a card-payments service of the test's making (one that crashes, one whose gateway answers at once). */
const autopayOver = (cardPayments: CardPayments) => createAutopayService(t.ctx, { cardPayments, cabinet: createServices(t.ctx).cabinet });

async function postForm(agent: Agent, fields: Record<string, string>, path = '/cabinet/autopay') {
  const page = await agent.get('/cabinet/autopay');
  return agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}

/** Terms accepted, the first payment paid on the sandbox page: autopayment is on with the saved card. */
async function turnOn(agent: Agent, fields: Record<string, string>) {
  const res = await postForm(agent, { accept: '1', contact: 'payer@example.ru', ...fields });
  expect(res.status).toBe(303);
  const id = /\/sandbox\/pay\/(sbx-[\w-]+)$/.exec(res.headers.location)![1];
  const page = await agent.get(`/sandbox/pay/${id}`);
  expect(page.text).toContain('Карта будет сохранена для автоплатежа');
  await agent.post(`/sandbox/pay/${id}`).type('form').send({ _csrf: csrfFrom(page.text), action: 'pay' });
  return id;
}

async function subscriber() {
  const c = await makeContract(t.ctx, { fee: 60000 });
  const { agent } = await signIn(t.app, c.number, c.password);
  return { ...c, agent };
}

describe('turning autopayment on', () => {
  it('shows the terms, refuses without accepting them, and saves nothing', async () => {
    const s = await subscriber();
    const page = await s.agent.get('/cabinet/autopay');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Условия автоматического платежа.');
    expect(page.text).toContain('Выключен');
    const res = await postForm(s.agent, { rule: 'threshold', amount: '500', threshold: '100', contact: 'payer@example.ru' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Чтобы включить автоплатёж, примите условия');
    expect(await t.ctx.db('payments').where({ contract_id: s.id })).toHaveLength(0);
  });

  it.each([
    [{ rule: 'threshold', amount: '0', threshold: '100' }, 'Сумма должна быть больше нуля'],
    [{ rule: 'threshold', amount: 'abc', threshold: '100' }, 'Введите сумму в рублях'],
    [{ rule: 'threshold', amount: '20000', threshold: '100' }, 'Сумма должна быть не больше 15\u00a0000,00'],
    [{ rule: 'threshold', amount: '500', threshold: '-1' }, 'Порог — целое число рублей'],
    [{ rule: 'monthly', day: '31' }, 'День месяца — число от 1 до 28'],
    [{ rule: 'weekly' }, 'Выберите правило'],
  ])('refuses %j with a clear message', async (fields, message) => {
    const s = await subscriber();
    const res = await postForm(s.agent, { accept: '1', contact: 'payer@example.ru', ...fields });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await t.ctx.db('payments').where({ contract_id: s.id })).toHaveLength(0);
  });

  it('a first payment saves the card; the rule, the mask and the terms accepted (text and time) are kept and shown', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    const a = await autopayRow(s.id);
    expect(a).toMatchObject({ status: 'active', rule: 'threshold', amount_kopecks: 50000, threshold_kopecks: 10000, card_mask: 'Visa •••• 4242', terms_version: TERMS_VERSION, terms_text: TERMS_TEXT, terms_accepted_at: t.clock.now().toISOString() });
    expect(await balance(s.id)).toBe(50000); // the first payment itself
    const page = await s.agent.get('/cabinet/autopay');
    expect(page.text).toContain('Visa •••• 4242');
    expect(page.text).toContain('пополнить на 500,00\u00a0₽, когда баланс меньше 100,00\u00a0₽');
    expect((await s.agent.get('/cabinet/pay')).text).toContain('Автоплатёж включён: карта Visa •••• 4242.');
    expect(await notices(s.id)).toEqual(['Платёж зачислен', 'Автоплатёж включён']);
  });

  it('a declined first payment turns nothing on', async () => {
    const s = await subscriber();
    const res = await postForm(s.agent, { accept: '1', contact: 'payer@example.ru', rule: 'monthly', day: '25' });
    const id = /\/sandbox\/pay\/(sbx-[\w-]+)$/.exec(res.headers.location)![1];
    const page = await s.agent.get(`/sandbox/pay/${id}`);
    await s.agent.post(`/sandbox/pay/${id}`).type('form').send({ _csrf: csrfFrom(page.text), action: 'decline' });
    expect(await autopayRow(s.id)).toBeUndefined();
  });

  it('change the rule in one step, turn off in one step', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    const changed = await postForm(s.agent, { rule: 'monthly', day: '10', accept: '1' });
    expect(changed.status).toBe(303);
    expect(await autopayRow(s.id)).toMatchObject({ status: 'active', rule: 'monthly', day: 10 });
    expect((await s.agent.get(changed.headers.location)).text).toContain('Правило автоплатежа изменено.');
    const off = await postForm(s.agent, {}, '/cabinet/autopay/off');
    expect(off.status).toBe(303);
    expect(await autopayRow(s.id)).toMatchObject({ status: 'off', off_reason: 'subscriber' });
    t.clock.set('2026-12-10T05:00:00.000Z');
    await run();
    expect(await autopayPayments(s.id)).toHaveLength(0);
  });
});

describe('changing the rule (issue 9 point 14)', () => {
  it('asks for the terms again: without them nothing changes; with them a new consent row and a notice on every channel', async () => {
    const s = await subscriber();
    await t.ctx.db('contracts').where({ id: s.id }).update({ email: 'me@example.ru' });
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    const page = await s.agent.get('/cabinet/autopay');
    expect(page.text).toContain('data-testid="terms"');
    expect(page.text).toContain('name="accept"');
    const consentsBefore = await t.ctx.db('autopay_consents').where({ contract_id: s.id });
    expect(consentsBefore).toHaveLength(1);

    const refused = await postForm(s.agent, { rule: 'monthly', day: '10' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Чтобы изменить правило, примите условия ещё раз');
    expect(await autopayRow(s.id)).toMatchObject({ rule: 'threshold', amount_kopecks: 50000, threshold_kopecks: 10000 });
    expect(await t.ctx.db('autopay_consents').where({ contract_id: s.id })).toHaveLength(1);

    t.clock.advance(60_000);
    expect((await postForm(s.agent, { rule: 'threshold', amount: '700', threshold: '200', accept: '1' })).status).toBe(303);
    expect(await autopayRow(s.id)).toMatchObject({ rule: 'threshold', amount_kopecks: 70000, threshold_kopecks: 20000, terms_accepted_at: t.clock.now().toISOString(), terms_text: TERMS_TEXT });
    const consents = await t.ctx.db('autopay_consents').where({ contract_id: s.id }).orderBy('id');
    expect(consents).toHaveLength(2);
    expect(consents[1]).toMatchObject({ kind: 'change', payment_id: null, rule: 'threshold', amount_kopecks: 70000, threshold_kopecks: 20000, terms_version: TERMS_VERSION, terms_text: TERMS_TEXT, accepted_at: t.clock.now().toISOString() });
    const notice = await t.ctx.db('notifications').where({ contract_id: s.id, title: 'Правило автоплатежа изменено' }).first();
    expect(notice.body.replace(/\u00a0/g, ' ')).toContain('пополнить на 700,00 ₽, когда баланс меньше 200,00 ₽');
    expect(await t.ctx.db('outbox').where({ contract_id: s.id, topic: 'account', channel: 'email' }).pluck('recipient')).toEqual(['me@example.ru']);
  });

  it('caps the amount and the threshold by PAYMENT_MAX_RUBLES, with Russian messages, changing nothing', async () => {
    const s = await subscriber();
    for (const [fields, field, message] of [
      [{ rule: 'threshold', amount: '500', threshold: '999999' }, 'threshold', 'Порог должен быть не больше 15\u00a0000,00'],
      [{ rule: 'threshold', amount: '500', threshold: '15001' }, 'threshold', 'Порог должен быть не больше 15\u00a0000,00'],
      [{ rule: 'threshold', amount: '15000,01', threshold: '100' }, 'amount', 'Сумма должна быть не больше 15\u00a0000,00'],
    ] as const) {
      const r = await postForm(s.agent, { ...fields, accept: '1', contact: 'payer@example.ru' });
      expect(r.status).toBe(422);
      expect(r.text).toContain(`id="${field}-error"`);
      expect(r.text).toContain(message);
    }
    expect(await t.ctx.db('payments').where({ contract_id: s.id })).toHaveLength(0);
    expect(await t.ctx.db('autopay_consents').where({ contract_id: s.id })).toHaveLength(0);
    // and when changing a rule already on
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    const r = await postForm(s.agent, { rule: 'threshold', amount: '500', threshold: '999999', accept: '1' });
    expect(r.status).toBe(422);
    expect(await autopayRow(s.id)).toMatchObject({ threshold_kopecks: 10000 });
    // the largest allowed is accepted
    expect((await postForm(s.agent, { rule: 'threshold', amount: '15000', threshold: '15000', accept: '1' })).status).toBe(303);
  });
});

describe('the rules, with a moving clock', () => {
  it('top up X when the balance falls below Y: once a provider day, every charge notified', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    await run();
    expect(await charges(s.id)).toHaveLength(0); // 500 ₽ on the balance
    await charge(s.id, 45000); // 50 ₽ left
    await run();
    await run();
    expect(await charges(s.id)).toMatchObject([{ period: '2026-11-24', amount_kopecks: 50000, status: 'succeeded', attempts: 0 }]);
    expect(await balance(s.id)).toBe(55000);
    await charge(s.id, 50000); // 50 ₽ again, the same day: no second top-up
    await run();
    expect(await autopayPayments(s.id)).toHaveLength(1);
    t.clock.advance(24 * 3600_000);
    await run();
    expect((await charges(s.id)).map((c) => c.period)).toEqual(['2026-11-24', '2026-11-25']);
    expect(await balance(s.id)).toBe(55000);
    expect((await notices(s.id)).filter((n) => n === 'Автоплатёж зачислен')).toHaveLength(2);
    expect((await autopayPayments(s.id))[0]).toMatchObject({ status: 'succeeded', method: 'autopay', card_mask: 'Visa •••• 4242', receipt_contact: 'payer@example.ru' });
  });

  it('each month on day D pays the next month\u2019s fee: November, then December, then January', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'monthly', day: '25' }); // the first payment: the rest of November and December (720 ₽)
    expect(await balance(s.id)).toBe(72000);
    await run();
    expect(await charges(s.id)).toHaveLength(0); // the 24th
    t.clock.set('2026-11-25T05:00:00.000Z');
    await run();
    expect(await charges(s.id)).toMatchObject([{ period: '2026-11', status: 'skipped', amount_kopecks: 0 }]); // already paid
    // December: the daily run took 6 days of November (120 ₽) and 24 days of December (480 ₽): 120 ₽ left
    await charge(s.id, 60000);
    t.clock.set('2026-12-25T05:00:00.000Z');
    await run();
    await run();
    const dec = (await charges(s.id))[1];
    // as the dashboard's «К оплате за следующий месяц»: 26-31 December (today counts as charged: 600 ₽ − floor(600 ₽·25/31)
    // = 116,13 ₽) + January (600 ₽) − 120 ₽ on the balance = 596,13 ₽
    expect(dec).toMatchObject({ period: '2026-12', status: 'succeeded', amount_kopecks: 59613 });
    expect(await balance(s.id)).toBe(71613);
    t.clock.set('2027-01-25T05:00:00.000Z');
    await charge(s.id, 60000);
    await run();
    expect((await charges(s.id)).map((c) => c.period)).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(await autopayPayments(s.id)).toHaveLength(2);
  });

  it('a failing card: at most 3 retries with doubling pauses, each failure notified, then it stops', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    const a = await autopayRow(s.id);
    await t.ctx.db('sandbox_cards').where({ id: a.payment_method_id }).update({ status: 'failing' });
    await charge(s.id, 45000);
    await run();
    expect(await charges(s.id)).toMatchObject([{ status: 'pending', attempts: 1 }]);
    await run(); // the pause is not over
    expect(await autopayPayments(s.id)).toHaveLength(1);
    for (const [minutes, attempts] of [[60, 2], [120, 3], [240, 4]] as const) {
      t.clock.advance(minutes * 60_000 - 1000);
      await run();
      expect((await charges(s.id))[0].attempts).toBe(attempts - 1); // a second early: not yet
      t.clock.advance(1000);
      await run();
      expect((await charges(s.id))[0].attempts).toBe(attempts);
    }
    expect(await charges(s.id)).toMatchObject([{ status: 'failed', attempts: 4, next_attempt_at: null }]);
    t.clock.advance(3 * 3600_000); // 22:00 the same provider day: nothing more for this period
    await run();
    const tries = await autopayPayments(s.id);
    expect(tries).toHaveLength(4); // the first try and 3 retries, each its own payment with its own key
    expect(new Set(tries.map((p) => p.idempotency_key)).size).toBe(4);
    expect(tries.every((p) => p.status === 'canceled')).toBe(true);
    const failures = (await notices(s.id)).filter((n) => n === 'Автоплатёж не прошёл');
    expect(failures).toHaveLength(4);
    expect(await balance(s.id)).toBe(5000);
    expect((await autopayRow(s.id)).status).toBe('active'); // a temporary failure does not turn it off
  });

  it('a card refused for good turns autopayment off and says so', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    const a = await autopayRow(s.id);
    await t.ctx.db('sandbox_cards').where({ id: a.payment_method_id }).update({ status: 'refused' });
    await charge(s.id, 45000);
    await run();
    expect(await charges(s.id)).toMatchObject([{ status: 'refused', attempts: 1 }]);
    expect(await autopayRow(s.id)).toMatchObject({ status: 'off', off_reason: 'card_refused' });
    expect(await notices(s.id)).toContain('Автоплатёж выключен');
    expect((await s.agent.get('/cabinet/autopay')).text).toContain('банк окончательно отказал');
    t.clock.advance(3 * 24 * 3600_000);
    await run();
    expect(await autopayPayments(s.id)).toHaveLength(1);
  });
});

describe('charges that survive crashes and pauses', () => {
  it('a crash between the payment row and the charge\u2019s link: the next tick links that row, never starts it again', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    await charge(s.id, 45000);
    const online = createServices(t.ctx).cardPayments;
    // the old order: start() wrote its row and charged, then the process died before the charge knew the row
    const crashing = { ...online, start: async (i: Parameters<typeof online.start>[0]) => { await online.start({ ...i, withRow: undefined }); throw new Error('killed'); } };
    await autopayOver(crashing).run();
    expect(await charges(s.id)).toMatchObject([{ status: 'pending', payment_id: null }]);
    expect(await autopayPayments(s.id)).toHaveLength(1);
    await run();
    const [p] = await autopayPayments(s.id);
    expect(await charges(s.id)).toMatchObject([{ status: 'succeeded', payment_id: p.id }]);
    expect(await autopayPayments(s.id)).toHaveLength(1);
    expect(await balance(s.id)).toBe(55000); // credited once
  });

  it('the charge points at its payment row from the row\u2019s own transaction (a crash right after start() loses nothing)', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'threshold', amount: '500', threshold: '100' });
    await charge(s.id, 45000);
    const online = createServices(t.ctx).cardPayments;
    const crashing = { ...online, start: async (i: Parameters<typeof online.start>[0]) => { await online.start(i); throw new Error('killed'); } };
    await autopayOver(crashing).run();
    const [p] = await autopayPayments(s.id);
    expect((await charges(s.id))[0].payment_id).toBe(p.id);
  });

  it('a paused contract (nothing to pay next month) is skipped, not charged a full month\u2019s fee', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'monthly', day: '1' });
    await t.ctx.db('contracts').where({ id: s.id }).update({ status: 'paused' });
    await charge(s.id, 72000); // the balance is 0: without the pause the month would be owed
    t.clock.set('2026-12-02T05:00:00.000Z');
    await run();
    expect(await charges(s.id)).toMatchObject([{ period: '2026-12', status: 'skipped', amount_kopecks: 0 }]);
    expect(await autopayPayments(s.id)).toHaveLength(0);
  });

  it('two ticks at once create one charge and count one', async () => {
    const s = await subscriber();
    await turnOn(s.agent, { rule: 'monthly', day: '1' });
    t.clock.set('2026-12-02T05:00:00.000Z');
    const svc = createServices(t.ctx).autopay;
    const [a, b] = await Promise.all([svc.run(), svc.run()]);
    expect(a.created + b.created).toBe(1);
    expect(await charges(s.id)).toHaveLength(1);
    expect((await svc.run()).created).toBe(0);
  });

  it('a first payment settled inside start() (the gateway answers succeeded at once) still turns autopayment on', async () => {
    const s = await subscriber();
    const sandbox = createServices(t.ctx).gateway;
    const answer = (req: { amountKopecks: number; metadata: Record<string, string> }) => ({
      id: 'gw-at-once', status: 'succeeded' as const, amount: { value: toValue(req.amountKopecks), currency: 'RUB' }, paid: true, confirmationUrl: null,
      paymentMethod: { id: 'pm-at-once', saved: true, mask: 'Visa •••• 4242' }, metadata: req.metadata, cancellation: null,
    });
    let last: ReturnType<typeof answer> | null = null;
    const atOnce = { ...sandbox, name: sandbox.name, createPayment: async (req: Parameters<typeof sandbox.createPayment>[0]) => (last = answer(req)), getPayment: async () => last };
    const svc = createServices(t.ctx, { gateway: atOnce }).autopay;
    const r = await svc.save(s.id, { accept: '1', contact: 'payer@example.ru', rule: 'threshold', amount: 50000, threshold: 100 } as AutopayInput);
    expect(r).toMatchObject({ kind: 'settled', result: 'credited' });
    expect(await autopayRow(s.id)).toMatchObject({ status: 'active', payment_method_id: 'pm-at-once' });
    expect(await t.ctx.db('autopay_consents').where({ contract_id: s.id })).toHaveLength(1);
  });
});
