// The one way the portal tells a subscriber something. Callers say what happened (topic, title, text); this module
// decides where it goes. Today every notice is kept in the cabinet; the notifications issue adds SMS and e-mail
// through the outbox, chosen by the subscriber's subscriptions, without changing the callers.
import type { Knex } from 'knex';
import type { AppContext } from '../context';

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

/** Records the notice; pass the caller's transaction so that the notice commits with the event it reports. */
export async function notify(ctx: AppContext, db: Knex | Knex.Transaction, n: Notice): Promise<void> {
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
