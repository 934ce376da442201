// What both register formats are read into, and the small readers they share: the bank's date, its amount and the
// contract number found in a payment's purpose. Pure: no db, no HTTP.
import crypto from 'node:crypto';
import { parseMoney } from '../../lib/money';

/** One payment as the bank's file states it, before it is matched to a contract. */
export type BankRow = {
  /** The line of the file the payment starts on (1-based). */
  line: number;
  docNumber: string;
  /** YYYY-MM-DD, or null when dateText is not a date. */
  docDate: string | null;
  dateText: string;
  /** Kopecks; null when amountText is not an amount; ≤ 0 is kept as it is (the row is then unmatched). */
  amountKopecks: number | null;
  amountText: string;
  payerAccount: string;
  /** The account the money went to (1C: ПолучательСчет); '' when the file does not say (a CSV register). */
  recipientAccount?: string;
  payerName: string;
  purpose: string;
  /** As found in the purpose or in the register's column; null when none. */
  contractNumber: string | null;
  /** Several different numbers in one purpose: none is chosen. */
  ambiguous: boolean;
};

export type RegisterFormat = '1c' | 'csv';
export type Encoding = 'utf-8' | 'windows-1251' | 'cp866';
export type ParseProblem = 'empty' | 'unknownFormat' | 'encoding' | 'noRows' | 'badCsv' | 'noColumns';
export type ParsedRegister =
  | { ok: true; format: RegisterFormat; encoding: Encoding; rows: BankRow[] }
  | { ok: false; problem: ParseProblem };

/** dd.mm.yyyy (1C, Russian registers), dd.mm.yy or yyyy-mm-dd → YYYY-MM-DD; null when not a real date. */
export function parseBankDate(text: string): string | null {
  const s = text.trim();
  let y: number, m: number, d: number;
  let r = /^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})$/.exec(s);
  if (r) {
    [d, m, y] = [Number(r[1]), Number(r[2]), Number(r[3].length === 2 ? `20${r[3]}` : r[3])];
  } else if ((r = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s))) {
    [y, m, d] = [Number(r[1]), Number(r[2]), Number(r[3])];
  } else return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d || y < 2000) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** «1 234,50», «1234.50», «1 234,50» (no-break space) → kopecks; a minus sign gives a negative amount. */
export function parseBankAmount(text: string): number | null {
  const s = text.trim().replace(/^[−–]/, '-');
  const negative = s.startsWith('-');
  const k = parseMoney(negative ? s.slice(1) : s);
  if (k === null) return null;
  return negative ? -k : k;
}

// A contract (personal account) number is 6 digits after one of these words; digits that are part of a longer
// number (an INN, a bank account, an amount) are never taken: (?<!\d) and (?!\d) around exactly six.
const CONTRACT_WORDS = String.raw`(?:договор[а-яё]*|дог\.?|л\s*\/\s*сч?\.?|лиц[а-яё]*\.?\s*сч[её]?т?[а-яё]*\.?|абонент[а-яё]*|лс)`;
const CONTRACT_NUMBER = new RegExp(String.raw`(?<![а-яё])${CONTRACT_WORDS}\s*(?:№|N|No\.?|#)?\s*[:\-]?\s*(?<!\d)(\d{6})(?![\d,.]\d)(?!\d)`, 'giu');

/** The contract numbers a payment's purpose names («Оплата по договору 100123», «л/с 100123», «дог. 100123»). */
export function contractNumbersIn(purpose: string): string[] {
  const found = new Set<string>();
  for (const m of purpose.matchAll(CONTRACT_NUMBER)) found.add(m[1]);
  return [...found];
}

/** The number in a register's «Лицевой счёт» cell: the cell itself when it is only digits, else as in a purpose. */
export function contractNumberInCell(cell: string): { number: string | null; ambiguous: boolean } {
  const s = cell.replace(/[\s\u00a0]/g, '');
  if (/^\d{1,12}$/.test(s)) return { number: s, ambiguous: false };
  return pick(contractNumbersIn(cell));
}

export function pick(numbers: string[]): { number: string | null; ambiguous: boolean } {
  return numbers.length === 1 ? { number: numbers[0], ambiguous: false } : { number: null, ambiguous: numbers.length > 1 };
}

/**
 * The key of a bank document: number, date, amount and payer account, so that the same payment in another file (or
 * twice in one) is recognised. Rows whose date or amount could not be read are keyed by the texts as they stand.
 */
export function paymentKey(r: Pick<BankRow, 'docNumber' | 'docDate' | 'dateText' | 'amountKopecks' | 'amountText' | 'payerAccount'>): string {
  const parts = [r.docNumber.trim(), r.docDate ?? r.dateText.trim(), r.amountKopecks ?? r.amountText.trim(), r.payerAccount.trim()];
  return `bank:${crypto.createHash('sha256').update(parts.join('|')).digest('hex')}`;
}

/** Cuts text to a column's width. */
export const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);
