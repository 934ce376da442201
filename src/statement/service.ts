// «Выписка»: every ledger entry of the contract in a period of provider days, with monthly totals that add up
// exactly, paged for the page and whole for the CSV. Reads only: the ledger is billing's to write.
import type { AppContext } from '../context';
import { addDays, dayOf, startOfDay } from '../lib/dates';
import { NotFound } from '../web/errors';
import { statementCsv, type CsvLabels } from './csv';
import type { StatementQuery } from './forms';
import { resolvePeriod, type Period } from './period';
import * as q from './queries';
import { groupRows, monthlyTotals, type StatementEntry } from './totals';

export const PAGE_SIZE = 20;

export function createStatementService(ctx: AppContext) {
  const tz = ctx.config.timeZone;

  async function load(contractId: number, period: Period) {
    const fromIso = startOfDay(period.from, tz).toISOString();
    const toIso = startOfDay(addDays(period.to, 1), tz).toISOString();
    const opening = await q.balanceBefore(ctx.db, contractId, fromIso);
    const rows = await q.entriesBetween(ctx.db, contractId, fromIso, toIso);
    const entries: StatementEntry[] = rows.map((r) => ({ ...r, day: dayOf(new Date(r.occurred_at), tz) }));
    return { opening, entries };
  }

  return {
    /** The period a query asks for (default: the last 12 months), or why it cannot be given. */
    period(query: Pick<StatementQuery, 'from' | 'to'>) {
      return resolvePeriod(query, dayOf(ctx.clock.now(), tz));
    },

    /** One page of rows (newest first) and the period's monthly totals (oldest first). */
    async statement(contractId: number, period: Period, requestedPage: number) {
      const { opening, entries } = await load(contractId, period);
      const months = monthlyTotals(opening, entries, period);
      const rows = groupRows(entries).reverse();
      const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
      const page = Math.min(requestedPage, pages);
      return {
        period, months, opening, closing: months.length ? months[months.length - 1].closing : opening,
        total: rows.length, entriesCount: entries.length, page, pages, rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      };
    },

    /** The same entries as a CSV file, and its name. */
    async csv(contractId: number, period: Period, labels: CsvLabels) {
      const number = await q.findContractNumber(ctx.db, contractId);
      if (!number) throw new NotFound();
      const { opening, entries } = await load(contractId, period);
      return { filename: `statement-${number}-${period.from}-${period.to}.csv`, body: statementCsv(opening, entries, labels) };
    },
  };
}
export type StatementService = ReturnType<typeof createStatementService>;
