// Every knex call of «Заявки на подключение».
import { forUpdate, type Db, type Trx } from '../../db';

export const REQUEST_STATUSES = ['new', 'called', 'signed', 'refused'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export type RequestRow = {
  id: number; phone: string; name: string | null; address: string | null; status: RequestStatus; created_at: string;
  updated_at: string | null; contract_id: number | null; contract_number: string | null;
};
export type RequestEventRow = { id: number; staff_name: string | null; from_status: string; to_status: string; note: string | null; at: string };

const base = (db: Db | Trx) =>
  db('connection_requests as r')
    .leftJoin('contracts as c', 'c.id', 'r.contract_id')
    .select('r.id', 'r.phone', 'r.name', 'r.address', 'r.status', 'r.created_at', 'r.updated_at', 'r.contract_id', 'c.number as contract_number');

export function listRequests(db: Db, f: { status: RequestStatus | null; oldestFirst: boolean; limit: number }) {
  const q = base(db).orderBy([{ column: 'r.created_at', order: f.oldestFirst ? 'asc' : 'desc' }, { column: 'r.id', order: f.oldestFirst ? 'asc' : 'desc' }]).limit(f.limit);
  if (f.status) q.where('r.status', f.status);
  return q as unknown as Promise<RequestRow[]>;
}

export const requestById = (db: Db, id: number) => base(db).where('r.id', id).first() as unknown as Promise<RequestRow | undefined>;

/** The request's row, locked until the transaction ends (two employees cannot move it twice). */
export const lockRequest = (trx: Trx, id: number) =>
  forUpdate(trx('connection_requests').where({ id })).first<{ id: number; status: RequestStatus; contract_id: number | null } | undefined>('id', 'status', 'contract_id');

export const setRequestStatus = (trx: Trx, id: number, u: { status: RequestStatus; updated_at: string; contract_id?: number }) =>
  trx('connection_requests').where({ id }).update(u);

export const touchRequest = (trx: Trx, id: number, at: string) => trx('connection_requests').where({ id }).update({ updated_at: at });

export const insertRequestEvent = (trx: Trx, row: { request_id: number; staff_id: number; from_status: string; to_status: string; note: string | null; at: string }) =>
  trx('connection_request_events').insert(row);

export const requestEvents = (db: Db, requestId: number) =>
  db('connection_request_events as e')
    .leftJoin('staff as s', 's.id', 'e.staff_id')
    .where('e.request_id', requestId)
    .orderBy('e.id')
    .select<RequestEventRow[]>('e.id', 's.name as staff_name', 'e.from_status', 'e.to_status', 'e.note', 'e.at');

export const contractIdByNumber = (db: Db | Trx, number: string) =>
  db('contracts').where({ number }).first<{ id: number } | undefined>('id');

export async function countNewRequests(db: Db): Promise<number> {
  const row = await db('connection_requests').where({ status: 'new' }).count({ n: '*' }).first<{ n: number | string }>();
  return Number(row?.n ?? 0);
}
