// Reading an old billing system's CSV: the encoding found by its bytes (a UTF-8 BOM, valid UTF-8, else windows-1251),
// the separator by the header line (';' or ','), quoted fields by csv-parse; each record keeps its line number.
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';

export type Encoding = 'utf-8' | 'windows-1251';

export function decode(bytes: Buffer): { text: string; encoding: Encoding } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'win1251'), encoding: 'windows-1251' };
  }
}

/** The header line's separator: the one of ';' and ',' it has more of (outside quotes). */
export function separatorOf(text: string): ';' | ',' {
  const first = (text.split(/\r?\n/, 1)[0] ?? '').replace(/"[^"]*"/g, '');
  return (first.match(/;/g)?.length ?? 0) >= (first.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** The columns by the names an old billing's export may give them (lower case, ё as е). */
const ALIASES: Record<Column, string[]> = {
  number: ['number', 'contract', 'номер', 'номер договора', 'договор', 'лс', 'л/с', 'лицевой счет'],
  name: ['name', 'фио', 'абонент', 'имя', 'наименование'],
  town: ['town', 'city', 'город', 'населенный пункт'],
  address: ['address', 'адрес'],
  phones: ['phones', 'phone', 'телефоны', 'телефон'],
  email: ['email', 'e-mail', 'почта', 'эл. почта', 'электронная почта'],
  tariff: ['tariff', 'тариф'],
  balance: ['balance', 'баланс', 'остаток', 'сальдо'],
  start: ['start', 'start date', 'start_date', 'дата начала', 'дата подключения', 'дата договора'],
};
export const COLUMNS = ['number', 'name', 'town', 'address', 'phones', 'email', 'tariff', 'balance', 'start'] as const;
export type Column = (typeof COLUMNS)[number];
export const REQUIRED: Column[] = ['number', 'name', 'town', 'address', 'tariff'];

const norm = (s: string) => s.trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ');

export type CsvRow = { line: number; values: Partial<Record<Column, string>> };
export type ParsedFile = { encoding: Encoding; rows: CsvRow[]; missing: Column[]; unknown: string[] };

export function parseFile(bytes: Buffer): ParsedFile {
  const { text, encoding } = decode(bytes);
  const records = parse(text, { delimiter: separatorOf(text), bom: true, info: true, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as { record: string[]; info: { lines: number } }[];
  const [head, ...body] = records;
  const index = new Map<Column, number>();
  const unknown: string[] = [];
  (head?.record ?? []).forEach((name, i) => {
    const col = COLUMNS.find((c) => ALIASES[c].includes(norm(name)));
    if (col && !index.has(col)) index.set(col, i);
    else if (name.trim()) unknown.push(name.trim());
  });
  const rows = body.map(({ record, info }) => {
    const values: Partial<Record<Column, string>> = {};
    for (const [col, i] of index) values[col] = record[i] ?? '';
    return { line: info.lines, values };
  });
  return { encoding, rows, missing: REQUIRED.filter((c) => !index.has(c)), unknown };
}
