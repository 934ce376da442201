// Writers take turns on SQLite (src/db.ts): every transaction begins IMMEDIATE, and a statement that finds the
// database locked waits for it asynchronously instead of failing or freezing the process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { inTransaction, openDb, type Db } from '../../src/db';
import { describeSqlite, onPostgres } from '../support/engine';

jest.setTimeout(30_000);

let dir: string;
let file: string;
let a: Db;
let b: Db;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-db-'));
  file = path.join(dir, 'w.sqlite');
  a = openDb(file);
  b = openDb(file);
  await a.raw('create table t (id integer primary key, v text)');
  await b.raw('select 1');
});
afterEach(async () => {
  await a.destroy();
  await b.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describeSqlite('transactions on SQLite', () => {
  it('a transaction that reads then writes holds the write lock from its start, so another connection cannot slip a write in between', async () => {
    const other = new Database(file);
    other.pragma('busy_timeout = 0');
    try {
      await inTransaction(a, async (trx) => {
        await trx('t').count({ n: '*' });
        expect(() => other.prepare("insert into t (v) values ('other')").run()).toThrow(/locked|busy/i);
        await trx('t').insert({ v: 'mine' });
      });
      expect(await a('t').pluck('v')).toEqual(['mine']);
    } finally {
      other.close();
    }
  });

  it('a write from another connection waits for the lock without freezing the process, then lands after the commit', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    let otherDone = false;
    let otherWrite: Promise<unknown> = Promise.resolve();
    try {
      await inTransaction(a, async (trx) => {
        await trx('t').count({ n: '*' });
        otherWrite = b('t').insert({ v: 'other' }).then(() => (otherDone = true));
        const ticksBefore = ticks;
        // The other write is waiting (asynchronously): the event loop goes on ticking meanwhile.
        const until = Date.now() + 10_000;
        while (ticks < ticksBefore + 5 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
        expect(ticks).toBeGreaterThanOrEqual(ticksBefore + 5);
        expect(otherDone).toBe(false);
        await trx('t').insert({ v: 'mine' });
      });
      await otherWrite;
      expect(await a('t').orderBy('id').pluck('v')).toEqual(['mine', 'other']);
    } finally {
      clearInterval(timer);
    }
  });

  it('a transaction from another connection begun while the lock is held waits its turn and both commit', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = inTransaction(a, async (trx) => {
      await trx('t').insert({ v: 'first' });
      entered();
      await held;
    });
    await inside;
    const second = inTransaction(b, async (trx) => {
      const n = await trx('t').count({ n: '*' }).first();
      await trx('t').insert({ v: `second saw ${n?.n}` });
    });
    release();
    await Promise.all([first, second]);
    expect(await a('t').orderBy('id').pluck('v')).toEqual(['first', 'second saw 1']);
  });
});
