// The one way the portal tells a subscriber something. Callers say what happened (topic, title, text); this module
// decides where it goes: by the contract's subscriptions (src/notifications/subscriptions.ts) to the cabinet
// (table notifications) and through the outbox to the contract's phones (SMS) and e-mail. 'account' always goes.
import type { Knex } from 'knex';
import type { AppContext } from '../context';
import { enqueue } from '../outbox/service';
import { channelsFor, unsubscribeToken } from './subscriptions';

/** Topics a subscriber can subscribe to, plus 'account' (security notices, always sent, no opt-out). */
export const TOPICS = ['maintenance', 'prices', 'news', 'low_balance', 'payments', 'offers'] as const;
export type Topic = (typeof TOPICS)[number] | 'account';

export type Notice = {
  contractId: number;
  topic: Topic;
  title: string;
  text: string;
  /** A cabinet path the notice points to, e.g. /cabinet/pay. */
  link?: string;
  /** The same key twice notifies once (a retried job, a gateway notification sent twice). */
  key?: string;
};

/** Records the notice and queues its SMS and e-mail; pass the caller's transaction so that all of it commits with the event it reports. */
export async function notify(ctx: AppContext, db: Knex | Knex.Transaction, n: Notice): Promise<void> {
  if (n.key) {
    // Keys of its messages start with "key:"; a range on the unique index finds them without a scan (';' follows ':').
    const seen = (await db('notifications').where({ idempotency_key: n.key }).first('id')) ?? (await db('outbox').where('idempotency_key', '>=', `${n.key}:`).where('idempotency_key', '<', `${n.key};`).first('id'));
    if (seen) return;
  }
  const to = await channelsFor(db, n.contractId, n.topic);
  if (to.cabinet) {
    await db('notifications')
      .insert({
        contract_id: n.contractId,
        topic: n.topic,
        title: n.title,
        body: n.text,
        link: n.link ?? null,
        idempotency_key: n.key ?? null,
        created_at: ctx.clock.now().toISOString(),
      })
      .onConflict('idempotency_key')
      .ignore();
  }
  const link = n.link ? `${ctx.config.publicUrl}${n.link}` : null;
  const key = (suffix: string) => (n.key ? `${n.key}:${suffix}` : undefined);
  if (to.sms) {
    const phones = (await db('contract_phones').where({ contract_id: n.contractId }).orderBy('id').pluck('phone')) as string[];
    for (const phone of phones) {
      await enqueue(ctx, db, { channel: 'sms', recipient: phone, text: `${n.title}. ${n.text}${link ? ` ${link}` : ''}`.slice(0, 480), topic: n.topic, contractId: n.contractId, key: key(`sms:${phone}`) });
    }
  }
  if (to.email) {
    const contract = (await db('contracts').where({ id: n.contractId }).first('email')) as { email: string | null } | undefined;
    if (contract?.email) {
      const unsubscribe = `${ctx.config.publicUrl}/unsubscribe?token=${unsubscribeToken(ctx.config.sessionSecret, n.contractId, n.topic === 'account' ? 'all' : n.topic)}`;
      const text = [n.text, link ? `\n${link}` : '', `\n\n--\n${ctx.config.provider.name}. Отписаться от этих писем: ${unsubscribe}`].join('');
      await enqueue(ctx, db, {
        channel: 'email', recipient: contract.email, subject: n.title, text, topic: n.topic, contractId: n.contractId, key: key('email'),
        headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    }
  }
}
