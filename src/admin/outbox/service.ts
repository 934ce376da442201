// The outbox as staff see it (area 'outbox'): messages by state and channel, recipients masked, texts never shown;
// «Повторить» puts a failed message back in the queue through the outbox's own retry, audited in its transaction.
import type { AppContext } from '../../context';
import { auditStaff, type StaffActor } from '../../audit/service';
import { inTransaction } from '../../db';
import { maskPhone } from '../../lib/phone';
import { OutboxRetryRefused, type Outbox } from '../../outbox/service';
import * as q from './queries';
import type { OutboxListRow, OutboxState } from './queries';

/** ivan.petrov@mail.ru -> iv***@mail.ru (enough to tell two addresses apart on the phone). */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, Math.min(2, at))}***${email.slice(at)}`;
}

export const maskRecipient = (r: Pick<OutboxListRow, 'channel' | 'recipient'>) =>
  !r.recipient ? '—' : r.channel === 'email' ? maskEmail(r.recipient) : maskPhone(r.recipient);

export const shownState = (r: Pick<OutboxListRow, 'state' | 'one_time_code' | 'last_error'>): OutboxState =>
  r.state === 'failed' && r.one_time_code && (r.last_error ?? '').startsWith('expired') ? 'expired' : r.state;

export type RetryResult = 'queued' | 'missing' | 'notFailed' | 'oneTimeCode';

export function createAdminOutbox(ctx: AppContext, outbox: Outbox) {
  return {
    async list(f: { state: OutboxState | null; channel: 'sms' | 'email' | null; limit: number }) {
      const rows = await q.listOutbox(ctx.db, f);
      return rows.map((r) => ({ ...r, recipient: maskRecipient(r), shownState: shownState(r) }));
    },
    countFailed: () => q.countFailedOutbox(ctx.db),

    async retry(actor: StaffActor, id: number): Promise<RetryResult> {
      return inTransaction(ctx.db, async (trx) => {
        const row = await q.outboxSummary(trx, id);
        if (!row) return 'missing';
        try {
          if (!(await outbox.retry(id, trx))) return 'notFailed';
        } catch (err) {
          if (err instanceof OutboxRetryRefused) return 'oneTimeCode';
          throw err;
        }
        await auditStaff(ctx, actor, {
          action: 'outbox_retry', contractId: row.contract_id, before: { state: 'failed' }, after: { state: 'queued' },
          detail: { outboxId: id, channel: row.channel, topic: row.topic },
        }, trx);
        return 'queued';
      });
    },
  };
}
