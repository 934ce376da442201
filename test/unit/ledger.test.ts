import { checkBalance, postEntry } from '../../src/billing/service';
import { makeContract } from '../support/factories';
import { failureOf, makeTestApp, type TestApp } from '../support/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(() => t.close());

const entry = (contractId: number, key: string, amount: number) => ({
  contract_id: contractId, kind: 'payment' as const, amount_kopecks: amount, description: 'Оплата', idempotency_key: key, occurred_at: '2026-11-24T05:00:00.000Z',
});

describe('the ledger', () => {
  it('moves the cached balance in the same transaction as the entry', async () => {
    const c = await makeContract(t.ctx);
    await t.ctx.db.transaction((trx) => postEntry(trx, entry(c.id, 'a', 50000)));
    await t.ctx.db.transaction((trx) => postEntry(trx, { ...entry(c.id, 'b', -1234), kind: 'charge' }));
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 48766, ledger: 48766 });
  });

  it('writes an entry that arrives twice with the same key once', async () => {
    const c = await makeContract(t.ctx);
    const first = await t.ctx.db.transaction((trx) => postEntry(trx, entry(c.id, 'twice', 10000)));
    const second = await t.ctx.db.transaction((trx) => postEntry(trx, entry(c.id, 'twice', 10000)));
    expect(first.created).toBe(true);
    expect(second).toEqual({ entryId: first.entryId, created: false });
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 10000, ledger: 10000 });
  });

  it('changes nothing when the transaction fails after the entry', async () => {
    const c = await makeContract(t.ctx);
    const failure = await failureOf(
      t.ctx.db.transaction(async (trx) => {
        await postEntry(trx, entry(c.id, 'rolled-back', 777));
        throw new Error('crash after the entry');
      }),
    );
    expect(failure).toContain('crash after the entry');
    expect(await checkBalance(t.ctx.db, c.id)).toEqual({ cached: 0, ledger: 0 });
  });

  it('refuses a fraction of a kopeck', async () => {
    const c = await makeContract(t.ctx);
    expect(await failureOf(t.ctx.db.transaction((trx) => postEntry(trx, entry(c.id, 'frac', 10.5))))).toMatch(/^RangeError/);
  });

  it('is append-only: an update or a delete is refused by the database', async () => {
    const c = await makeContract(t.ctx);
    await t.ctx.db.transaction((trx) => postEntry(trx, entry(c.id, 'fixed', 100)));
    const attempt = async (fn: () => PromiseLike<unknown>) => {
      try {
        return { done: await fn() };
      } catch (err) {
        return { error: String(err) };
      }
    };
    expect(await attempt(() => t.ctx.db('ledger_entries').where({ idempotency_key: 'fixed' }).update({ amount_kopecks: 1 }))).toEqual({ error: expect.stringMatching(/append-only/) });
    expect(await attempt(() => t.ctx.db('ledger_entries').where({ idempotency_key: 'fixed' }).del())).toEqual({ error: expect.stringMatching(/append-only/) });
  });
});
