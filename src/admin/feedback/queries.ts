// Every knex call of «Обратная связь».
import { forUpdate, type Db, type Trx } from '../../db';

export const FEEDBACK_STATUSES = ['new', 'answered'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export type FeedbackRow = {
  id: number; name: string; phone: string; email: string | null; question: string; status: FeedbackStatus; created_at: string;
  answer: string | null; answer_channel: 'email' | 'phone' | null; answered_at: string | null; answered_by_name: string | null;
};

const base = (db: Db | Trx) =>
  db('feedback as f')
    .leftJoin('staff as s', 's.id', 'f.answered_by')
    .select('f.id', 'f.name', 'f.phone', 'f.email', 'f.question', 'f.status', 'f.created_at', 'f.answer', 'f.answer_channel', 'f.answered_at', 's.name as answered_by_name');

export function listFeedback(db: Db, f: { status: FeedbackStatus | null; oldestFirst: boolean; limit: number }) {
  const q = base(db).orderBy([{ column: 'f.created_at', order: f.oldestFirst ? 'asc' : 'desc' }, { column: 'f.id', order: f.oldestFirst ? 'asc' : 'desc' }]).limit(f.limit);
  if (f.status) q.where('f.status', f.status);
  return q as unknown as Promise<FeedbackRow[]>;
}

export const feedbackById = (db: Db | Trx, id: number) => base(db).where('f.id', id).first() as unknown as Promise<FeedbackRow | undefined>;

/** The message's row, locked until the transaction ends (it is answered once). */
export const lockFeedback = (trx: Trx, id: number) =>
  forUpdate(trx('feedback').where({ id })).first<{ id: number; status: FeedbackStatus; name: string; email: string | null; question: string } | undefined>('id', 'status', 'name', 'email', 'question');

export const markAnswered = (trx: Trx, id: number, u: { answer: string; answer_channel: 'email' | 'phone'; answered_by: number; answered_at: string; outbox_id: number | null }) =>
  trx('feedback').where({ id, status: 'new' }).update({ ...u, status: 'answered' });

export async function countNewFeedback(db: Db): Promise<number> {
  const row = await db('feedback').where({ status: 'new' }).count({ n: '*' }).first<{ n: number | string }>();
  return Number(row?.n ?? 0);
}
