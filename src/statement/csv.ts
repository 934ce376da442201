// «Выписка» as CSV for Excel: UTF-8 with a BOM (so Cyrillic reads right), semicolons, CRLF, amounts as 1234,50.
import { formatDay } from '../lib/dates';
import { formatMoneyPlain } from '../lib/money';
import type { StatementEntry } from './totals';

const BOM = '\uFEFF';

/** Kopecks as a spreadsheet number in Russian notation: -123450 -> "-1234,50". */
export const csvAmount = formatMoneyPlain;

/** A text cell: quoted when it holds a separator, a quote or a line break; a leading = + - @ is defused for Excel. */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export type CsvLabels = { header: string[]; kind: (kind: string) => string };

/** One line per ledger entry, oldest first, with the balance after each; starting from the opening balance. */
export function statementCsv(opening: number, entries: readonly StatementEntry[], labels: CsvLabels): string {
  const lines = [labels.header.map(csvText).join(';')];
  let balance = opening;
  for (const e of entries) {
    balance += e.amount_kopecks;
    const period = e.period_from && e.period_to ? (e.period_from === e.period_to ? formatDay(e.period_from) : `${formatDay(e.period_from)}–${formatDay(e.period_to)}`) : '';
    lines.push([formatDay(e.day), csvText(labels.kind(e.kind)), csvText(e.description), period, csvAmount(e.amount_kopecks), csvAmount(balance)].join(';'));
  }
  return BOM + lines.join('\r\n') + '\r\n';
}
