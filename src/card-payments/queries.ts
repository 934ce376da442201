// Every knex call of card payments: our `payments` rows of gateway payments, their refunds, and the contract's
// number and receipt contacts the gateway's requests need.
import { forUpdate, type Db, type Trx } from '../db';

export type CardPaymentRow = {
  id: number; contract_id: number; amount_kopecks: number; method: string; status: string; ledger_entry_id: number | null;
  idempotency_key: string; created_at: string; gateway: string | null; gateway_payment_id: string | null; confirmation_url: string | null;
  receipt_contact: string | null; receipt: string | null; card_mask: string | null; refunded_kopecks: number; problem: string | null;
  autopay_id: number | null; settled_at: string | null; save_payment_method: number | boolean; payment_method_id: string | null;
};

export type NewCardPayment = Pick<
  CardPaymentRow,
  'contract_id' | 'amount_kopecks' | 'method' | 'status' | 'ledger_entry_id' | 'idempotency_key' | 'created_at' | 'gateway' | 'receipt_contact' | 'receipt' | 'autopay_id' | 'payment_method_id'
> & { save_payment_method: boolean };

export const paymentById = (db: Db | Trx, id: number) => db('payments').where({ id }).first<CardPaymentRow | undefined>();

/** The row settling decides on, read first in its transaction and locked until the commit (FOR UPDATE on PostgreSQL). */
export const lockPayment = (trx: Trx, id: number) => forUpdate(trx('payments').where({ id })).first<CardPaymentRow | undefined>();

export const paymentByGatewayId = (db: Db | Trx, gateway: string, gatewayPaymentId: string) =>
  db('payments').where({ gateway, gateway_payment_id: gatewayPaymentId }).first<CardPaymentRow | undefined>();

export const paymentIdByKey = (db: Db | Trx, idempotencyKey: string) =>
  db('payments').where({ idempotency_key: idempotencyKey }).first<{ id: number } | undefined>('id');

export async function insertCardPayment(trx: Db | Trx, row: NewCardPayment): Promise<number> {
  const [{ id }] = (await trx('payments').insert(row).returning('id')) as { id: number }[];
  return Number(id);
}

/** Records the gateway's id on our row: the first answer wins (the pair is unique). */
export const attachGatewayPayment = (db: Db | Trx, id: number, gatewayPaymentId: string, confirmationUrl: string | null) =>
  db('payments').where({ id }).whereNull('gateway_payment_id').update({ gateway_payment_id: gatewayPaymentId, confirmation_url: confirmationUrl });

export const updatePayment = (db: Db | Trx, id: number, fields: Partial<CardPaymentRow>) => db('payments').where({ id }).update(fields);

/** A pending row that never reached the gateway, canceled with the reason. */
export const cancelUnsentPayment = (db: Db | Trx, id: number, problem: string, at: string) =>
  db('payments').where({ id, status: 'pending' }).whereNull('gateway_payment_id').update({ status: 'canceled', problem, settled_at: at });

/** Pending rows of this gateway created at or before `before`, without a problem: what reconciliation asks about. */
export const pendingPayments = (db: Db, gateway: string, before: string, limit: number) =>
  db('payments').where({ status: 'pending', gateway }).where('created_at', '<=', before).whereNull('problem').orderBy('id').limit(limit).select<CardPaymentRow[]>('*');

export const refundByGatewayId = (trx: Trx, paymentId: number, gatewayRefundId: string) =>
  trx('payment_refunds').where({ payment_id: paymentId, gateway_refund_id: gatewayRefundId }).first<{ id: number } | undefined>('id');

export async function insertRefund(trx: Trx, row: { payment_id: number; gateway_refund_id: string; amount_kopecks: number; ledger_entry_id: number; created_at: string }): Promise<void> {
  await trx('payment_refunds').insert(row);
}

export async function contractNumber(db: Db | Trx, contractId: number): Promise<string | null> {
  const c = await db('contracts').where({ id: contractId }).first<{ number: string } | undefined>('number');
  return c?.number ?? null;
}

/** The receipt contact of the contract's latest card payment that had one. */
export async function lastReceiptContact(db: Db, contractId: number): Promise<string | null> {
  const last = await db('payments').where({ contract_id: contractId }).whereNotNull('receipt_contact').orderBy('id', 'desc').first<{ receipt_contact: string } | undefined>('receipt_contact');
  return last?.receipt_contact ?? null;
}

export async function contractEmail(db: Db, contractId: number): Promise<string | null> {
  const c = await db('contracts').where({ id: contractId }).first<{ email: string | null } | undefined>('email');
  return c?.email ?? null;
}

export async function firstPhone(db: Db, contractId: number): Promise<string | null> {
  const p = await db('contract_phones').where({ contract_id: contractId }).orderBy('id').first<{ phone: string } | undefined>('phone');
  return p?.phone ?? null;
}
