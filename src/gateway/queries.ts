// Every knex call of the gateways: the sandbox's own tables (it plays YooKassa inside the app) and the one read of
// our payments its page needs to know whose payment it shows.
import type { Db, Trx } from '../db';

export type SandboxPaymentRow = {
  id: string; idempotence_key: string; amount_kopecks: number; currency: string; description: string; return_url: string | null;
  status: 'pending' | 'succeeded' | 'canceled'; cancellation_reason: string | null; save_payment_method: number | boolean;
  payment_method_id: string | null; metadata: string; receipt: string | null; created_at: string; updated_at: string;
};
export type SandboxCardRow = { id: string; last4: string; status: string; created_at: string };
export type SandboxRefundRow = { id: string; idempotence_key: string; payment_id: string; amount_kopecks: number; created_at: string };

/** The contract a sandbox payment was made for: our payments row named in its metadata. */
export async function sandboxPaymentContract(db: Db, metadata: string): Promise<number | null> {
  let paymentId: number;
  try {
    paymentId = Number((JSON.parse(metadata) as { payment_id?: unknown }).payment_id);
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(paymentId)) return null;
  const row = await db('payments').where({ id: paymentId }).first<{ contract_id: number } | undefined>('contract_id');
  return row?.contract_id ?? null;
}

export const sandboxPayment = (db: Db | Trx, id: string) => db('sandbox_payments').where({ id }).first<SandboxPaymentRow | undefined>();

export const sandboxPaymentByKey = (db: Db | Trx, idempotenceKey: string) =>
  db('sandbox_payments').where({ idempotence_key: idempotenceKey }).first<SandboxPaymentRow | undefined>();

/** A new sandbox payment; the same Idempotence-Key twice keeps the first. */
export async function insertSandboxPayment(db: Db | Trx, row: SandboxPaymentRow): Promise<void> {
  await db('sandbox_payments').insert(row).onConflict('idempotence_key').ignore();
}

/** Moves a payment still pending to its end (pay, decline, expiry); 1 if it was pending, 0 if another request got there first. */
export const finishSandboxPayment = (db: Db | Trx, id: string, fields: Partial<SandboxPaymentRow>): Promise<number> =>
  db('sandbox_payments').where({ id, status: 'pending' }).update(fields);

export const sandboxCard = (db: Db | Trx, id: string) => db('sandbox_cards').where({ id }).first<SandboxCardRow | undefined>();

export async function insertSandboxCard(db: Db | Trx, row: SandboxCardRow): Promise<void> {
  await db('sandbox_cards').insert(row);
}

export const sandboxRefundByKey = (db: Db | Trx, idempotenceKey: string) =>
  db('sandbox_refunds').where({ idempotence_key: idempotenceKey }).first<SandboxRefundRow | undefined>();

export async function sandboxRefundedSum(db: Db | Trx, paymentId: string): Promise<number> {
  const row = await db('sandbox_refunds').where({ payment_id: paymentId }).sum({ s: 'amount_kopecks' }).first<{ s: number | string | null }>();
  return Number(row?.s ?? 0);
}

export async function insertSandboxRefund(db: Db | Trx, row: SandboxRefundRow): Promise<void> {
  await db('sandbox_refunds').insert(row);
}
