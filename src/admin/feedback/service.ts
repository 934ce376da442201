// «Обратная связь»: new → answered, once. With an e-mail the answer goes through the outbox (plain text: the e-mail
// driver sends text only, so the employee's words need no HTML escaping); without one the employee calls and notes it.
import type { AppContext } from '../../context';
import { auditStaff, type StaffActor } from '../../audit/service';
import { inTransaction } from '../../db';
import { enqueue } from '../../outbox/service';
import { t } from '../../web/i18n';
import * as q from './queries';
import type { FeedbackStatus } from './queries';

export type AnswerResult =
  | { kind: 'done'; channel: 'email' | 'phone' }
  | { kind: 'missing' }
  | { kind: 'already'; who: string; when: string };

export function createFeedbackService(ctx: AppContext) {
  return {
    list: (f: { status: FeedbackStatus | null; oldestFirst: boolean; limit: number }) => q.listFeedback(ctx.db, f),
    show: (id: number) => q.feedbackById(ctx.db, id),
    countNew: () => q.countNewFeedback(ctx.db),

    /** The answer: e-mailed when the visitor left an address, else the note of the call. Twice: 'already'. */
    async answer(actor: StaffActor, id: number, text: string): Promise<AnswerResult> {
      return inTransaction(ctx.db, async (trx) => {
        const row = await q.lockFeedback(trx, id);
        if (!row) return { kind: 'missing' } as const;
        if (row.status !== 'new') {
          const done = await q.feedbackById(trx, id);
          return { kind: 'already', who: done?.answered_by_name ?? '—', when: done?.answered_at ?? '' } as const;
        }
        const at = ctx.clock.now().toISOString();
        const channel = row.email ? 'email' : 'phone';
        let outboxId: number | null = null;
        if (row.email) {
          const provider = ctx.config.provider.name;
          outboxId = await enqueue(ctx, trx, {
            channel: 'email', recipient: row.email, topic: 'feedback', key: `feedback:${id}`,
            subject: t('adm.fb.mail.subject', { provider }),
            text: t('adm.fb.mail.text', { name: row.name, question: row.question, answer: text, provider, site: ctx.config.publicUrl }),
          });
        }
        await q.markAnswered(trx, id, { answer: text, answer_channel: channel, answered_by: actor.staffId, answered_at: at, outbox_id: outboxId });
        await auditStaff(ctx, actor, {
          action: 'feedback_answered', before: { status: 'new' }, after: { status: 'answered', channel },
          detail: { feedbackId: id, channel, ...(outboxId ? { outboxId } : {}) },
        }, trx);
        return { kind: 'done', channel } as const;
      });
    },
  };
}
export type FeedbackService = ReturnType<typeof createFeedbackService>;
