import { forUpdate, type Db, type Trx } from '../db';
import type { BlockStatus } from './rules';

export type BlockRow = {
  id: number; contract_id: number; from_day: string; to_day: string; status: BlockStatus;
  created_at: string; ended_at: string | null; cancel_reason: string | null;
};

const COLUMNS = ['id', 'contract_id', 'from_day', 'to_day', 'status', 'created_at', 'ended_at', 'cancel_reason'];

const byContract = (db: Db | Trx, contractId: number) => db('voluntary_blocks').where({ contract_id: contractId });

/** Every block of a contract, newest first (a handful a year: the yearly limit needs them all). */
export const listForContract = (db: Db | Trx, contractId: number) =>
  byContract(db, contractId).orderBy([{ column: 'from_day', order: 'desc' }, { column: 'id', order: 'desc' }]).select<BlockRow[]>(COLUMNS);

/** One block of this contract: another contract's id is simply not found. */
export const findOwn = (db: Db | Trx, contractId: number, id: number) => byContract(db, contractId).where({ id }).first<BlockRow | undefined>(COLUMNS);

/** A block by id, its row locked until the commit (the start and end jobs decide on its status). */
export const findByIdForUpdate = (trx: Trx, id: number) => forUpdate(trx('voluntary_blocks').where({ id }).first<BlockRow | undefined>(COLUMNS));

/** One block of this contract, its row locked until the commit (cancel and «Завершить досрочно» decide on its status). */
export const findOwnForUpdate = (trx: Trx, contractId: number, id: number) => forUpdate(byContract(trx, contractId).where({ id }).first<BlockRow | undefined>(COLUMNS));

export const findByRequestKey = (db: Db | Trx, contractId: number, key: string) => byContract(db, contractId).where({ request_key: key }).first<{ id: number } | undefined>('id');

export const insertBlock = async (trx: Trx, row: { contract_id: number; from_day: string; to_day: string; created_at: string; request_key: string }): Promise<number> => {
  const [{ id }] = (await trx('voluntary_blocks').insert({ ...row, status: 'scheduled' }).returning('id')) as { id: number }[];
  return id;
};

/** Moves a block on from the status it is known to be in (a second run finds nothing to move). */
export const moveBlock = (trx: Trx, id: number, from: BlockStatus, to: BlockStatus, extra: { ended_at?: string; cancel_reason?: string } = {}) =>
  trx('voluntary_blocks').where({ id, status: from }).update({ status: to, ...extra });
