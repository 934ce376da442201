// Every knex call of «Закрыть договор»: the contract as the closing pages show it.
import type { Db, Trx } from '../../db';

export type ClosingContract = {
  id: number; number: string; name: string; address: string; status: string; balance_kopecks: number;
  closed_on: string | null; closed_reason: string | null;
};

export const findContract = (db: Db | Trx, id: number) =>
  db('contracts').where({ id }).first<ClosingContract | undefined>('id', 'number', 'name', 'address', 'status', 'balance_kopecks', 'closed_on', 'closed_reason');
