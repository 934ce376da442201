// Rules checked inside a transaction, asked many times at once (a double-clicked button, a form sent from two tabs,
// several app processes): each rule locks the contract's row it decides on (src/billing contractMoney with lock), so
// exactly one of the requests acts and the others see what it did. Engine-agnostic: the same tests run on PostgreSQL,
// where requests really run in parallel transactions.
import request from 'supertest';
import { checkBalance, postEntry } from '../../src/billing/service';
import { inTransaction } from '../../src/db';
import { csrfFrom, makeTestApp, signIn, type TestApp } from '../support/app';
import { makeContract, makeTariff } from '../support/factories';

const FEE = 60000; // 20 ₽ a day in November
const AT_ONCE = 10;
let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

type Agent = ReturnType<typeof request.agent>;
let keySeq = 0;
const entry = (contractId: number, kind: 'payment' | 'charge', amount: number) =>
  inTransaction(t.ctx.db, (trx) =>
    postEntry(trx, { contract_id: contractId, kind, amount_kopecks: amount, description: kind, idempotency_key: `at-once:${++keySeq}`, occurred_at: t.clock.now().toISOString() }, { cause: 'payment' }),
  );

async function subscriber(balance: number) {
  const c = await makeContract(t.ctx, { fee: FEE });
  if (balance) await entry(c.id, balance > 0 ? 'payment' : 'charge', balance);
  const { agent } = await signIn(t.app, c.number, c.password);
  return { ...c, agent };
}

const count = async (table: string, where: Record<string, unknown>) => Number((await t.ctx.db(table).where(where).count({ n: '*' }).first())?.n ?? 0);
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

/** The "check your answers" page of a form, and its confirm fields as the browser would send them. */
async function checked(agent: Agent, path: string, fields: Record<string, string>, confirmNames: string[]) {
  const page = await agent.get(path);
  const res = await agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
  expect(res.status).toBe(200);
  return Object.fromEntries([['_csrf', csrfFrom(res.text)], ...confirmNames.map((n) => [n, field(res.text, n)])]) as Record<string, string>;
}

const allAtOnce = (agent: Agent, path: string, bodies: Record<string, string>[]) =>
  Promise.all(bodies.map((body) => agent.post(path).type('form').send(body)));

describe('a promised payment confirmed many times at once', () => {
  it(`gives one promised payment and one ledger credit when the same confirmation is sent ${AT_ONCE} times at once`, async () => {
    const s = await subscriber(-500);
    const body = await checked(s.agent, '/cabinet/promised', { amount: '600' }, ['amount', 'key', 'confirm']);
    const answers = await allAtOnce(s.agent, '/cabinet/promised', Array.from({ length: AT_ONCE }, () => body));
    expect(answers.map((r) => r.status)).toEqual(Array(AT_ONCE).fill(303));
    expect(new Set(answers.map((r) => r.headers.location)).size).toBe(1); // every answer shows the same one
    expect(await count('promised_payments', { contract_id: s.id })).toBe(1);
    expect(await count('ledger_entries', { contract_id: s.id, kind: 'promised_credit' })).toBe(1);
    expect(await count('jobs', { kind: 'promised_expiry' })).toBe(1);
    const b = await checkBalance(t.ctx.db, s.id);
    expect(b.cached).toBe(b.ledger);
  });

  it(`gives one promised payment when ${AT_ONCE} different confirmations (tabs) are sent at once; the others are refused`, async () => {
    const s = await subscriber(-500);
    const bodies = [];
    for (let i = 0; i < AT_ONCE; i++) bodies.push(await checked(s.agent, '/cabinet/promised', { amount: '600' }, ['amount', 'key', 'confirm']));
    expect(new Set(bodies.map((b) => b.key)).size).toBe(AT_ONCE);
    const answers = await allAtOnce(s.agent, '/cabinet/promised', bodies);
    expect(answers.filter((r) => r.status === 303)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(AT_ONCE - 1); // «already taken», nothing changed
    expect(await count('promised_payments', { contract_id: s.id })).toBe(1);
    expect(await count('ledger_entries', { contract_id: s.id, kind: 'promised_credit' })).toBe(1);
    expect(await count('contract_status_changes', { contract_id: s.id, cause: 'promised_payment' })).toBe(1); // unblocked once
    const b = await checkBalance(t.ctx.db, s.id);
    expect(b.cached).toBe(b.ledger);
  });
});

describe('a voluntary block confirmed many times at once', () => {
  const period = { from: '2026-11-24', to: '2026-12-07' }; // from today: the block starts at once

  it(`makes one block, paused once, when the same confirmation is sent ${AT_ONCE} times at once`, async () => {
    const s = await subscriber(100000);
    const body = await checked(s.agent, '/cabinet/voluntary-block', period, ['from', 'to', 'key', 'confirm']);
    const answers = await allAtOnce(s.agent, '/cabinet/voluntary-block', Array.from({ length: AT_ONCE }, () => body));
    expect(answers.map((r) => r.status)).toEqual(Array(AT_ONCE).fill(303));
    expect(new Set(answers.map((r) => r.headers.location)).size).toBe(1);
    expect(await count('voluntary_blocks', { contract_id: s.id })).toBe(1);
    expect(await count('contract_status_changes', { contract_id: s.id, to_status: 'paused' })).toBe(1);
    expect(await count('jobs', { kind: 'voluntary_block_end' })).toBe(1);
  });

  it(`makes one block when ${AT_ONCE} different confirmations are sent at once; the others are refused`, async () => {
    const s = await subscriber(100000);
    const bodies = [];
    for (let i = 0; i < AT_ONCE; i++) bodies.push(await checked(s.agent, '/cabinet/voluntary-block', period, ['from', 'to', 'key', 'confirm']));
    const answers = await allAtOnce(s.agent, '/cabinet/voluntary-block', bodies);
    expect(answers.filter((r) => r.status === 303)).toHaveLength(1);
    expect(answers.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(await count('voluntary_blocks', { contract_id: s.id })).toBe(1);
    expect(await count('contract_status_changes', { contract_id: s.id, to_status: 'paused' })).toBe(1);
  });

  it(`ends a block early once when «Завершить досрочно» is pressed ${AT_ONCE} times at once: one resume, today charged once`, async () => {
    const s = await subscriber(100000);
    const body = await checked(s.agent, '/cabinet/voluntary-block', period, ['from', 'to', 'key', 'confirm']);
    const made = await s.agent.post('/cabinet/voluntary-block').type('form').send(body);
    const id = Number(/\/(\d+)$/.exec(made.headers.location)![1]);
    const page = await s.agent.get(`/cabinet/voluntary-block/${id}`);
    const answers = await allAtOnce(s.agent, `/cabinet/voluntary-block/${id}/end`, Array.from({ length: AT_ONCE }, () => ({ _csrf: csrfFrom(page.text) })));
    expect(answers.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(await count('contract_status_changes', { contract_id: s.id, from_status: 'paused', to_status: 'active' })).toBe(1);
    expect(await count('ledger_entries', { contract_id: s.id, kind: 'charge', period_from: '2026-11-24' })).toBe(1);
    expect((await t.ctx.db('voluntary_blocks').where({ id }).first())?.status).toBe('finished');
  });
});

describe('a tariff change confirmed many times at once', () => {
  it(`makes one change when ${AT_ONCE} different confirmations are sent at once`, async () => {
    const s = await subscriber(100000);
    const other = await makeTariff(t.ctx, { name: 'Быстрый 500', fee: 90000, townIds: [s.townId] });
    const fields = { tariff: String(other.id), when: 'next_month' };
    const bodies = [];
    for (let i = 0; i < AT_ONCE; i++) bodies.push({ ...fields, ...(await checked(s.agent, '/cabinet/tariff', fields, ['key'])) });
    const answers = await allAtOnce(s.agent, '/cabinet/tariff/confirm', bodies);
    expect(answers.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(answers.filter((r) => r.status === 303)).toHaveLength(1);
    expect(await count('tariff_changes', { contract_id: s.id })).toBe(1);
  });
});
