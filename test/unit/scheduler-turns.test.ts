// One scheduler turn at a time across processes (src/jobs/turns.ts): two "processes" are two turn holders on the
// same database (PostgreSQL: two pooled connections, so two sessions; SQLite: the lease row).
import { schedulerTurns, TURN_LEASE_MS } from '../../src/jobs/turns';
import { makeTestApp, type TestApp } from '../support/app';
import { itSqlite } from '../support/engine';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

describe('the scheduler turn', () => {
  it('is held by one process at a time: the other skips until it is released', async () => {
    const a = schedulerTurns(t.ctx);
    const b = schedulerTurns(t.ctx);
    expect(await a.take()).toBe(true);
    expect(await b.take()).toBe(false);
    await a.renew();
    expect(await b.take()).toBe(false);
    await a.release();
    expect(await b.take()).toBe(true);
    expect(await a.take()).toBe(false);
    await b.release();
  });

  it('goes to one of many processes asking at once', async () => {
    const holders = Array.from({ length: 8 }, () => schedulerTurns(t.ctx));
    const taken = await Promise.all(holders.map((h) => h.take()));
    expect(taken.filter(Boolean)).toHaveLength(1);
    await holders[taken.indexOf(true)].release();
  });

  itSqlite('on SQLite, passes to another process when the holder stopped renewing (it died)', async () => {
    const a = schedulerTurns(t.ctx);
    const b = schedulerTurns(t.ctx);
    expect(await a.take()).toBe(true);
    t.clock.advance(TURN_LEASE_MS - 1000);
    expect(await b.take()).toBe(false);
    t.clock.advance(2000);
    expect(await b.take()).toBe(true);
    await a.release(); // a's late release does not take b's turn away
    expect(await a.take()).toBe(false);
  });
});
