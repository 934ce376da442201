// The console's contracts: «Поиск» by number, name, phone or address, and what a contract's page shows.
import type { AppContext } from '../../context';
import { dayOf } from '../../lib/dates';
import * as q from './queries';

export const SEARCH_LIMIT = 50;
export const LEDGER_PAGE = 50;
const LIST_LIMIT = 20;
const MAX_QUERY = 100;
const MIN_TEXT = 3; // trigram indexes find nothing shorter

/** What one search field was read as: digits (a number, a phone) or words (a name, an address). */
export type SearchTerms = { number: string | null; phones: string[]; words: string[]; tooShort: boolean };

export function searchTerms(input: string): SearchTerms {
  const text = input.trim().replace(/\s+/g, ' ').slice(0, MAX_QUERY);
  if (/^[\d\s()+\-.]+$/.test(text)) {
    const digits = text.replace(/\D/g, '');
    const phones = digits.length >= 3 ? [digits] : [];
    // 8-905… is how a Russian number is typed at home: the stored E.164 has +7 there.
    if (digits.length >= 3 && digits.startsWith('8') && !text.startsWith('+')) phones.push(`7${digits.slice(1)}`);
    return { number: digits || null, phones, words: [], tooShort: !digits };
  }
  const words = text.toLowerCase().split(' ').filter((w) => [...w].length >= MIN_TEXT);
  return { number: null, phones: [], words, tooShort: text !== '' && words.length === 0 };
}

export type SearchResult = { query: string; terms: SearchTerms; rows: q.FoundContract[]; more: boolean };

export function contractsService(ctx: AppContext) {
  return {
    async search(query: string): Promise<SearchResult> {
      const terms = searchTerms(query);
      const ids: number[] = [];
      const add = (more: number[]) => {
        for (const id of more) if (!ids.includes(id)) ids.push(id);
      };
      const limit = SEARCH_LIMIT + 1;
      if (terms.number) {
        const exact = await q.exactNumber(ctx.db, terms.number);
        if (exact) add([exact]);
        add(await q.numberPrefix(ctx.db, terms.number, limit));
      }
      if (terms.phones.length && ids.length < limit) add(await q.phoneMatches(ctx.db, terms.phones, limit));
      if (terms.words.length) add(await q.textMatches(ctx.db, terms.words, limit));
      const shown = ids.slice(0, SEARCH_LIMIT);
      const found = shown.length ? await q.contractsByIds(ctx.db, shown) : [];
      const byId = new Map(found.map((r) => [r.id, r]));
      return { query: query.trim().slice(0, MAX_QUERY), terms, rows: shown.map((id) => byId.get(id)!).filter(Boolean), more: ids.length > SEARCH_LIMIT };
    },

    /** Everything the contract's page shows, or null for an unknown contract. */
    async page(id: number, ledgerPageNo: number) {
      const contract = await q.contractById(ctx.db, id);
      if (!contract) return null;
      const now = ctx.clock.now();
      const today = dayOf(now, ctx.config.timeZone);
      const phones = await q.contractPhones(ctx.db, id);
      const recipients = [...phones, ...(contract.email ? [contract.email] : [])];
      const ledgerTotal = await q.ledgerCount(ctx.db, id);
      const pages = Math.max(1, Math.ceil(ledgerTotal / LEDGER_PAGE));
      const pageNo = Math.min(Math.max(1, ledgerPageNo), pages);
      const events = await q.latestSecurityEvents(ctx.db, id, LIST_LIMIT);
      const staffIds = [...new Set(events.filter((e) => e.actor === 'staff' && e.actor_id).map((e) => e.actor_id!))];
      const staff = new Map((staffIds.length ? await q.staffNames(ctx.db, staffIds) : []).map((s) => [s.id, s.name]));
      const sessions = (await q.liveSessions(ctx.db, id, now.toISOString())).map((r) => {
        const s = (typeof r.sess === 'string' ? JSON.parse(r.sess) : r.sess) as { ip?: string; userAgent?: string; signedInAt?: number; lastSeenAt?: number };
        return { ip: s.ip ?? '', userAgent: s.userAgent ?? '', signedInAt: s.signedInAt ? new Date(s.signedInAt) : null, lastSeenAt: s.lastSeenAt ? new Date(s.lastSeenAt) : null };
      });
      sessions.sort((a, b) => (b.lastSeenAt?.getTime() ?? 0) - (a.lastSeenAt?.getTime() ?? 0));
      return {
        contract,
        services: await q.currentServices(ctx.db, id, today),
        phones,
        ledger: { rows: await q.ledgerPage(ctx.db, id, LEDGER_PAGE, (pageNo - 1) * LEDGER_PAGE), page: pageNo, pages, total: ledgerTotal },
        payments: { rows: await q.latestPayments(ctx.db, id, LIST_LIMIT), total: await q.paymentsCount(ctx.db, id) },
        sessions: { rows: sessions.slice(0, LIST_LIMIT), total: sessions.length },
        events: { rows: events.map((e) => ({ ...e, staffName: e.actor_id ? staff.get(e.actor_id) ?? null : null })), total: await q.securityEventsCount(ctx.db, id) },
        notices: { rows: await q.latestNotices(ctx.db, id, LIST_LIMIT), total: await q.noticesCount(ctx.db, id) },
        outbox: {
          // A one-time code is never shown to staff, whatever the message's state.
          rows: (await q.latestOutbox(ctx.db, id, recipients, LIST_LIMIT)).map((m) => ({ ...m, text: m.one_time_code ? null : (m.subject ?? m.body).slice(0, 160) })),
          total: await q.outboxCount(ctx.db, id, recipients),
        },
      };
    },
  };
}

export type ContractsService = ReturnType<typeof contractsService>;
export type ContractPage = NonNullable<Awaited<ReturnType<ContractsService['page']>>>;
