import type { Db, Trx } from '../db';

export type PaymentRow = { id: number; amount_kopecks: number; method: string; status: string; created_at: string; receipt_contact?: string | null; refunded_kopecks?: number };
export type PaymentFilter = { contractId: number; fromIso: string | null; toIso: string | null };

function filtered(db: Db, f: PaymentFilter) {
  const qb = db('payments').where('contract_id', f.contractId);
  if (f.fromIso) qb.where('created_at', '>=', f.fromIso);
  if (f.toIso) qb.where('created_at', '<', f.toIso);
  return qb;
}

export async function countPayments(db: Db, f: PaymentFilter): Promise<number> {
  const row = await filtered(db, f).count({ n: '*' }).first<{ n: number }>();
  return Number(row?.n ?? 0);
}

export const listPayments = (db: Db, f: PaymentFilter, limit: number, offset: number) =>
  filtered(db, f)
    .select<PaymentRow[]>('id', 'amount_kopecks', 'method', 'status', 'created_at', 'receipt_contact', 'refunded_kopecks')
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(limit)
    .offset(offset);

export const insertPayment = async (
  trx: Trx,
  row: { contract_id: number; amount_kopecks: number; method: string; status: string; ledger_entry_id: number | null; idempotency_key: string; created_at: string },
) => {
  const [{ id }] = (await trx('payments').insert(row).returning('id')) as { id: number }[];
  return Number(id);
};

export type ReceiptPaymentRow = PaymentRow & { receipt: string | null; card_mask: string | null; settled_at: string | null; gateway_payment_id: string | null };

/** One of the contract's payments (another contract's id finds nothing). */
export const paymentOfContract = (db: Db, contractId: number, paymentId: number) =>
  db('payments').where({ id: paymentId, contract_id: contractId }).first<ReceiptPaymentRow | undefined>();

export const refundsOf = (db: Db, paymentId: number) =>
  db('payment_refunds').where({ payment_id: paymentId }).orderBy('id').select<{ amount_kopecks: number; created_at: string }[]>('amount_kopecks', 'created_at');
