// The one way the portal tells a subscriber something. Callers say what happened (topic, title, text); this module
// decides where it goes: by the contract's subscriptions (src/notifications/subscriptions.ts) to the cabinet
// (table notifications) and through the outbox to the contract's phones (SMS) and e-mail. 'account' always goes.
import type { AppContext } from '../context';
import type { Db, Trx } from '../db';
import { enqueue, queuedWithKeyPrefix } from '../outbox/service';
import * as q from './queries';
import { channelsFor, unsubscribeToken } from './subscriptions';
import type { Topic } from './topics';

export { TOPICS, type Topic } from './topics';

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
export async function notify(ctx: AppContext, db: Db | Trx, n: Notice): Promise<void> {
  if (n.key) {
    // Its outbox messages' keys start with "<key>:".
    if ((await q.noticeKeyed(db, n.key)) || (await queuedWithKeyPrefix(db, n.key))) return;
  }
  const to = await channelsFor(db, n.contractId, n.topic);
  if (to.cabinet) {
    await q.insertNotice(db, {
      contract_id: n.contractId, topic: n.topic, title: n.title, body: n.text, link: n.link ?? null, idempotency_key: n.key ?? null,
      created_at: ctx.clock.now().toISOString(),
    });
  }
  const link = n.link ? `${ctx.config.publicUrl}${n.link}` : null;
  const key = (suffix: string) => (n.key ? `${n.key}:${suffix}` : undefined);
  if (to.sms) {
    for (const phone of await q.contractPhones(db, n.contractId)) {
      await enqueue(ctx, db, { channel: 'sms', recipient: phone, text: `${n.title}. ${n.text}${link ? ` ${link}` : ''}`.slice(0, 480), topic: n.topic, contractId: n.contractId, key: key(`sms:${phone}`) });
    }
  }
  if (to.email) {
    const email = await q.contractEmail(db, n.contractId);
    if (email) {
      const unsubscribe = `${ctx.config.publicUrl}/unsubscribe?token=${unsubscribeToken(ctx.config.sessionSecret, n.contractId, n.topic === 'account' ? 'all' : n.topic)}`;
      const text = [n.text, link ? `\n${link}` : '', `\n\n--\n${ctx.config.provider.name}. Отписаться от этих писем: ${unsubscribe}`].join('');
      await enqueue(ctx, db, {
        channel: 'email', recipient: email, subject: n.title, text, topic: n.topic, contractId: n.contractId, key: key('email'),
        headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    }
  }
}
