// Every knex call of the console's contracts: the search («Поиск») and what a contract's page shows.
import { byEngine, isPostgres, type Db } from '../../db';

// --- search ------------------------------------------------------------------------------------------------------
// Each kind of match returns at most `limit` contract ids, cheaply: the service merges them (exact number first).
// The text and phone matches take the first ids the index gives, unsorted: sorting every contract on «ул.» would
// cost more than the 50 ms target (docs/benchmarks.md).

export const exactNumber = async (db: Db, number: string): Promise<number | null> =>
  ((await db('contracts').where({ number }).first('id')) as { id: number } | undefined)?.id ?? null;

/** Contracts whose number starts with these digits (digits only: no wildcard can be in them). */
export async function numberPrefix(db: Db, digits: string, limit: number): Promise<number[]> {
  // SQLite: GLOB uses the unique index on number (LIKE is case-insensitive there and does not); PostgreSQL: LIKE
  // with the text_pattern_ops index of the migration.
  const where = byEngine(db, { sqlite: 'number glob ?', postgres: 'number like ?' });
  const pattern = byEngine(db, { sqlite: `${digits}*`, postgres: `${digits}%` });
  return (await db('contracts').whereRaw(where, [pattern]).orderBy('number').limit(limit).pluck('id')) as number[];
}

/** An FTS5 phrase: the text between double quotes, its own quotes doubled (nothing in it is an operator). */
const phrase = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** A LIKE pattern that finds `s` literally anywhere (%, _ and \ escaped), with `escape '\'`. */
const contains = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;

/** Contracts with a phone whose digits contain one of `variants` (each 3 digits or more). */
export async function phoneMatches(db: Db, variants: string[], limit: number): Promise<number[]> {
  if (isPostgres(db)) {
    // PostgreSQL: the pg_trgm index on contract_phones.phone (E.164: the digits after '+').
    const q = db('contract_phones').distinct('contract_id').where((w) => {
      for (const v of variants) w.orWhere('phone', 'like', `%${v}%`);
    });
    return (await q.limit(limit).pluck('contract_id')) as number[];
  }
  // SQLite: the FTS5 trigram table kept by triggers (migrations/20261203110000_contract_search.ts).
  const match = variants.map((v) => `{phones} : ${phrase(v)}`).join(' OR ');
  const rows = await db.raw<{ id: number }[]>('select rowid as id from contract_search where contract_search match ? limit ?', [match, limit]);
  return rows.map((r) => r.id);
}

/** Contracts whose name or address contains every word (lower-case, 3 characters or more), literally. */
export async function textMatches(db: Db, words: string[], limit: number): Promise<number[]> {
  if (isPostgres(db)) {
    // PostgreSQL: pg_trgm GIN indexes on lower(name) and lower(address); the words come lower-cased by JS.
    const q = db('contracts').select('id');
    for (const w of words) {
      q.where((o) => o.whereRaw("lower(name) like ? escape '\\'", [contains(w)]).orWhereRaw("lower(address) like ? escape '\\'", [contains(w)]));
    }
    return (await q.limit(limit).pluck('id')) as number[];
  }
  // SQLite: the FTS5 trigram table, case-insensitive with Unicode folding (Cyrillic too), quoted phrases.
  const match = words.map((w) => `{name address} : ${phrase(w)}`).join(' AND ');
  const rows = await db.raw<{ id: number }[]>('select rowid as id from contract_search where contract_search match ? limit ?', [match, limit]);
  return rows.map((r) => r.id);
}

export type FoundContract = { id: number; number: string; name: string; town: string; address: string; status: string; balance_kopecks: number };

export const contractsByIds = (db: Db, ids: number[]): Promise<FoundContract[]> =>
  db('contracts as c')
    .join('towns as t', 't.id', 'c.town_id')
    .whereIn('c.id', ids)
    .select('c.id', 'c.number', 'c.name', 't.name as town', 'c.address', 'c.status', 'c.balance_kopecks');

// --- a contract's page -------------------------------------------------------------------------------------------

export type ContractRow = {
  id: number; number: string; name: string; town: string; address: string; email: string | null; status: string;
  balance_kopecks: number; credit_limit_kopecks: number; tariff_name: string; tariff_fee_kopecks: number; created_at: string;
};

export const contractById = (db: Db, id: number): Promise<ContractRow | undefined> =>
  db('contracts as c')
    .join('towns as t', 't.id', 'c.town_id')
    .join('tariffs as tr', 'tr.id', 'c.tariff_id')
    .where('c.id', id)
    .first(
      'c.id', 'c.number', 'c.name', 't.name as town', 'c.address', 'c.email', 'c.status', 'c.balance_kopecks', 'c.credit_limit_kopecks',
      'tr.name as tariff_name', 'tr.monthly_fee_kopecks as tariff_fee_kopecks', 'c.created_at',
    );

/** The extra services in force on `today` or later. */
export const currentServices = (db: Db, contractId: number, today: string) =>
  db('contract_services as cs')
    .join('services as s', 's.id', 'cs.service_id')
    .where('cs.contract_id', contractId)
    .where((w) => w.whereNull('cs.to_day').orWhere('cs.to_day', '>=', today))
    .orderBy('cs.from_day')
    .select<{ name: string; monthly_fee_kopecks: number; from_day: string; to_day: string | null }[]>('s.name', 's.monthly_fee_kopecks', 'cs.from_day', 'cs.to_day');

const count = async (q: ReturnType<Db>) => Number(((await q.count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);

export const ledgerCount = (db: Db, contractId: number) => count(db('ledger_entries').where({ contract_id: contractId }));

export const ledgerPage = (db: Db, contractId: number, limit: number, offset: number) =>
  db('ledger_entries')
    .where({ contract_id: contractId })
    .orderBy([{ column: 'occurred_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(limit)
    .offset(offset)
    .select<{ id: number; kind: string; amount_kopecks: number; description: string; occurred_at: string }[]>('id', 'kind', 'amount_kopecks', 'description', 'occurred_at');

export const paymentsCount = (db: Db, contractId: number) => count(db('payments').where({ contract_id: contractId }));

export const latestPayments = (db: Db, contractId: number, limit: number) =>
  db('payments')
    .where({ contract_id: contractId })
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(limit)
    .select<{ id: number; amount_kopecks: number; method: string; status: string; created_at: string }[]>('id', 'amount_kopecks', 'method', 'status', 'created_at');

export const contractPhones = (db: Db, contractId: number) =>
  db('contract_phones').where({ contract_id: contractId }).orderBy('id').pluck('phone') as Promise<string[]>;

/** The subscriber's own live sessions (a staff member's read-only view keeps contract_id null: not among them). */
export const liveSessions = (db: Db, contractId: number, nowIso: string) =>
  db('sessions').where({ contract_id: contractId }).where('expired', '>=', nowIso).select<{ sess: string | object; expired: string | Date }[]>('sess', 'expired');

export const CABINET_VIEW_ACTIONS = ['cabinet_view_started', 'cabinet_view_refused', 'cabinet_view_ended'];

/** The subscriber's security events: everything the audit holds for the contract but staff actions, and staff visits. */
const securityEvents = (db: Db, contractId: number) =>
  db('audit_log')
    .where({ contract_id: contractId })
    .where((w) => w.whereNot({ actor: 'staff' }).orWhereIn('action', CABINET_VIEW_ACTIONS));

export const securityEventsCount = (db: Db, contractId: number) => count(securityEvents(db, contractId));

export const latestSecurityEvents = (db: Db, contractId: number, limit: number) =>
  securityEvents(db, contractId)
    .orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(limit)
    .select<{ at: string; actor: string; actor_id: number | null; action: string; ip: string | null }[]>('at', 'actor', 'actor_id', 'action', 'ip');

export const noticesCount = (db: Db, contractId: number) => count(db('notifications').where({ contract_id: contractId }));

export const latestNotices = (db: Db, contractId: number, limit: number) =>
  db('notifications')
    .where({ contract_id: contractId })
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(limit)
    .select<{ topic: string; title: string; created_at: string; read_at: string | null }[]>('topic', 'title', 'created_at', 'read_at');

/** Outbox messages keyed to the contract or sent to one of its contacts. */
const outboxOf = (db: Db, contractId: number, recipients: string[]) =>
  db('outbox').where((w) => {
    w.where({ contract_id: contractId });
    if (recipients.length) w.orWhereIn('recipient', recipients);
  });

export const outboxCount = (db: Db, contractId: number, recipients: string[]) => count(outboxOf(db, contractId, recipients));

export const latestOutbox = (db: Db, contractId: number, recipients: string[], limit: number) =>
  outboxOf(db, contractId, recipients)
    .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(limit)
    .select<{ channel: string; recipient: string; subject: string | null; body: string; topic: string; one_time_code: boolean | number; state: string; created_at: string; sent_at: string | null }[]>(
      'channel', 'recipient', 'subject', 'body', 'topic', 'one_time_code', 'state', 'created_at', 'sent_at',
    );

export const staffNames = (db: Db, ids: number[]) =>
  db('staff').whereIn('id', ids).select<{ id: number; name: string }[]>('id', 'name');
