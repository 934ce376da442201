import type { Db } from '../db';

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
