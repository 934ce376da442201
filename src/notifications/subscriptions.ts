// Which topics a subscriber hears about, and by which channel. Only choices differing from nothing are stored:
// a missing row is the default below. Marketing topics (news, offers) are off by SMS and e-mail until the
// subscriber turns them on; turning one on records the consent's time (152-FZ). 'account' is not here: it always goes.
import crypto from 'node:crypto';
import type { AppContext } from '../context';
import { inTransaction, type Db, type Trx } from '../db';
import * as q from './queries';
import { TOPICS, type Topic } from './topics';

export const CHANNELS = ['sms', 'email', 'cabinet'] as const;
export type Channel = (typeof CHANNELS)[number];
export type SubTopic = (typeof TOPICS)[number];
export const MARKETING: readonly SubTopic[] = ['news', 'offers'];

export const DEFAULTS: Record<SubTopic, Record<Channel, boolean>> = {
  maintenance: { sms: true, email: true, cabinet: true },
  prices: { sms: false, email: true, cabinet: true },
  news: { sms: false, email: false, cabinet: true },
  low_balance: { sms: true, email: true, cabinet: true },
  payments: { sms: false, email: true, cabinet: true },
  offers: { sms: false, email: false, cabinet: false },
};

export type Grid = Record<SubTopic, Record<Channel, boolean>>;

export async function subscriptionGrid(db: Db | Trx, contractId: number): Promise<Grid> {
  const grid = JSON.parse(JSON.stringify(DEFAULTS)) as Grid;
  for (const r of await q.subscriptionRows(db, contractId)) {
    if ((TOPICS as readonly string[]).includes(r.topic) && (CHANNELS as readonly string[]).includes(r.channel)) grid[r.topic as SubTopic][r.channel as Channel] = Boolean(r.enabled);
  }
  return grid;
}

/** Where a notice of this topic goes for this contract. */
export async function channelsFor(db: Db | Trx, contractId: number, topic: Topic): Promise<Record<Channel, boolean>> {
  if (topic === 'account') return { sms: true, email: true, cabinet: true };
  return (await subscriptionGrid(db, contractId))[topic];
}

/** Saves the whole grid as the subscriber ticked it; the consent time of a marketing topic is kept while it stays on. */
export async function saveGrid(ctx: AppContext, contractId: number, wanted: Grid): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await inTransaction(ctx.db, async (trx) => {
    const current = await subscriptionGrid(trx, contractId);
    for (const topic of TOPICS) {
      for (const channel of CHANNELS) {
        const on = wanted[topic][channel];
        if (on === current[topic][channel]) continue;
        const consent = on && MARKETING.includes(topic) && channel !== 'cabinet' ? now : null;
        await q.saveSubscription(trx, { contract_id: contractId, topic, channel, enabled: on, consent_at: consent, updated_at: now });
      }
    }
  });
}

/** Turns e-mail off for one topic, or for every topic that can be turned off ('all'). */
export async function unsubscribeEmail(ctx: AppContext, contractId: number, topic: SubTopic | 'all'): Promise<void> {
  const grid = await subscriptionGrid(ctx.db, contractId);
  for (const t of TOPICS) if (topic === 'all' || t === topic) grid[t].email = false;
  await saveGrid(ctx, contractId, grid);
}

// One-click unsubscribe links: the contract and topic, signed with HMAC so that nobody can unsubscribe someone else.
const sign = (secret: string, payload: string) => crypto.createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest('base64url');

export function unsubscribeToken(secret: string, contractId: number, topic: SubTopic | 'all'): string {
  const payload = `${contractId}.${topic}`;
  return `${payload}.${sign(secret, payload)}`;
}

export function readUnsubscribeToken(secret: string, token: unknown): { contractId: number; topic: SubTopic | 'all' } | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const m = /^(\d{1,9})\.([a-z_]{1,20})\.([\w-]{43})$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(sign(secret, `${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  if (m[2] !== 'all' && !(TOPICS as readonly string[]).includes(m[2])) return null;
  return { contractId: Number(m[1]), topic: m[2] as SubTopic | 'all' };
}
