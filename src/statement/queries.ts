import type { Db } from '../db';

export type LedgerRow = {
  id: number; kind: string; amount_kopecks: number; description: string;
  period_from: string | null; period_to: string | null; occurred_at: string;
};

export const findContractNumber = async (db: Db, contractId: number): Promise<string | undefined> => {
  const row = await db('contracts').where({ id: contractId }).first<{ number: string } | undefined>('number');
  return row?.number;
};

/** The balance at an instant: the sum of the contract's entries before it. */
export async function balanceBefore(db: Db, contractId: number, beforeIso: string): Promise<number> {
  const row = await db('ledger_entries').where('contract_id', contractId).where('occurred_at', '<', beforeIso).sum({ s: 'amount_kopecks' }).first<{ s: number | null }>();
  return Number(row?.s ?? 0);
}

/** The contract's entries in [fromIso, toIso), in ledger order. */
export const entriesBetween = (db: Db, contractId: number, fromIso: string, toIso: string) =>
  db('ledger_entries')
    .where('contract_id', contractId)
    .where('occurred_at', '>=', fromIso)
    .where('occurred_at', '<', toIso)
    .orderBy([{ column: 'occurred_at' }, { column: 'id' }])
    .select<LedgerRow[]>('id', 'kind', 'amount_kopecks', 'description', 'period_from', 'period_to', 'occurred_at');
