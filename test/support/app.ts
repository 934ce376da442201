// A fresh app on a fresh database per suite (in-memory SQLite, or a PostgreSQL database: test/support/engine.ts), with a clock the test can move.
import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { ManualClock } from '../../src/clock';
import { loadConfig, type Config } from '../../src/config';
import type { AppContext } from '../../src/context';
import { openTestDb } from './engine';

export type TestApp = { app: Express; ctx: AppContext; clock: ManualClock; close: () => Promise<void> };

export async function makeTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config: Config = loadConfig({ NODE_ENV: 'test', DATABASE_FILE: ':memory:', BCRYPT_COST: '4', LOG_LEVEL: 'silent', ...env });
  const { db, close } = await openTestDb();
  const clock = new ManualClock('2026-11-24T05:00:00.000Z'); // 12:00 in Novokuznetsk
  const ctx: AppContext = { config, db, clock, logger: pino({ level: 'silent' }) };
  const app = createApp(ctx);
  return { app, ctx, clock, close };
}

/** The csrf token of a page the agent just fetched (hidden _csrf field). */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no csrf token on the page');
  return m[1];
}

/** Signs in the way a person does: open the form, post it. Returns the agent with its cookie. */
export async function signIn(app: Express, contract: string, password: string, remember = false) {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), contract, password, ...(remember ? { remember: '1' } : {}) });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
  return { agent, res };
}

/** The error a promise fails with, as text ('no error' if it succeeds): jest's rejects.toThrow is unreliable with knex's promises. */
export function failureOf(p: PromiseLike<unknown>): Promise<string> {
  return Promise.resolve(p).then(
    () => 'no error',
    (err: unknown) => `${err instanceof Error ? err.name : typeof err}: ${String(err)}`,
  );
}
