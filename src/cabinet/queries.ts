import { hotAll, hotGet, type Db } from '../db';

export type ContractSummaryRow = {
  id: number; number: string; name: string; address: string; town: string; status: 'active' | 'blocked' | 'paused' | 'closed';
  /** The last day of service of a closed contract, else null. */
  closed_on: string | null;
  balance_kopecks: number; credit_limit_kopecks: number; tariff_name: string; monthly_fee_kopecks: number;
  internet_mbps: number | null; tv_package: string | null; services_count: number;
  /** The open promised payment (promised_payments, at most one per contract), or nulls. */
  open_promised_amount: number | null; open_promised_due_at: string | null;
  /** 1 when the contract has an unread in-cabinet notice, else null: the notices are read only then. */
  has_unread: number | null;
};

// Everything the dashboard shows, in one query over the contract's own row. Raw and prepared (hotGet): it runs
// on every dashboard and balance refresh, where knex's query building costs more than the query itself. The open
// promised payment and whether any notice is unread come along as subqueries (each an index lookup): a statement
// fewer per answer, which on PostgreSQL is a round trip fewer (docs/benchmarks.md).
const SUMMARY_SQL = `select c.id, c.number, c.name, c.address, tw.name as town, c.status, c.closed_on, c.balance_kopecks, c.credit_limit_kopecks,
    t.name as tariff_name, t.monthly_fee_kopecks, t.internet_mbps, t.tv_package,
    (select count(*) from contract_services cs where cs.contract_id = c.id) as services_count,
    (select p.amount_kopecks from promised_payments p where p.contract_id = c.id and p.status = 'open' limit 1) as open_promised_amount,
    (select p.due_at from promised_payments p where p.contract_id = c.id and p.status = 'open' limit 1) as open_promised_due_at,
    (select 1 from notifications n where n.contract_id = c.id and n.read_at is null limit 1) as has_unread
  from contracts c join towns tw on tw.id = c.town_id join tariffs t on t.id = c.tariff_id
  where c.id = ?`;

export const findContractSummary = (db: Db, contractId: number) => hotGet<ContractSummaryRow>(db, SUMMARY_SQL, [contractId]);

export type UnreadNoticeRow = { id: number; topic: string; title: string; body: string; link: string | null; created_at: string };

// The newest unread in-cabinet notices (at most 3): a range read of the partial index notifications_unread_idx
// (contract_id, created_at[, id on PostgreSQL; SQLite's rowid] where read_at is null): newest first, no sort.
export const UNREAD_SQL = `select id, topic, title, body, link, created_at from notifications
  where contract_id = ? and read_at is null order by created_at desc, id desc limit 3`;

export const unreadNotices = (db: Db, contractId: number) => hotAll<UnreadNoticeRow>(db, UNREAD_SQL, [contractId]);
