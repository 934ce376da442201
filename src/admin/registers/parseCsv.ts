// A CSV register: `;`-separated, a header row naming the columns (docs/registers.md lists the names accepted),
// quoted fields may hold `;`. Required: date, amount, contract (personal account), document number.
import { parse } from 'csv-parse/sync';
import { clip, contractNumberInCell, contractNumbersIn, parseBankAmount, parseBankDate, pick, type BankRow, type Encoding, type ParsedRegister } from './bankRow';

type Column = 'date' | 'amount' | 'contract' | 'docNumber' | 'payerAccount' | 'payerName' | 'purpose';

const normal = (s: string) => s.toLowerCase().replace(/ё/g, 'е').replace(/["'«»().,:]/g, ' ').replace(/[\s\u00a0]+/g, ' ').trim();

/** Header names accepted for each column (compared lower-case, ё as е, without punctuation). */
const SYNONYMS: Record<Column, string[]> = {
  date: ['дата', 'дата платежа', 'дата операции', 'дата документа', 'дата оплаты', 'дата поступления'],
  amount: ['сумма', 'сумма платежа', 'сумма руб', 'сумма в руб', 'сумма операции', 'сумма оплаты'],
  contract: ['лицевой счет', 'л/с', 'лс', 'номер договора', 'договор', 'номер лицевого счета', 'лицевой счет абонента', 'счет абонента'],
  docNumber: ['номер документа', '№ документа', 'номер', '№', 'номер платежа', 'номер п/п', '№ п/п', 'номер платежного поручения', 'номер операции'],
  payerAccount: ['счет плательщика', 'расчетный счет плательщика', 'счет отправителя'],
  payerName: ['плательщик', 'фио', 'фио плательщика', 'наименование плательщика'],
  purpose: ['назначение', 'назначение платежа', 'комментарий', 'основание'],
};
const BY_NAME = new Map<string, Column>(Object.entries(SYNONYMS).flatMap(([col, names]) => names.map((n) => [normal(n), col as Column] as const)));
const REQUIRED: Column[] = ['date', 'amount', 'contract', 'docNumber'];

export function parseCsv(text: string, encoding: Encoding): ParsedRegister {
  let records: string[][];
  try {
    records = parse(text, { delimiter: ';', relax_column_count: true, skip_empty_lines: true, trim: true, bom: true, relax_quotes: false });
  } catch {
    return { ok: false, problem: 'badCsv' };
  }
  records = records.filter((r) => r.some((c) => c !== ''));
  if (!records.length) return { ok: false, problem: 'empty' };
  const header = records[0];
  if (header.length < 2) return { ok: false, problem: 'unknownFormat' };
  const index = new Map<Column, number>();
  header.forEach((name, i) => {
    const col = BY_NAME.get(normal(name));
    if (col && !index.has(col)) index.set(col, i);
  });
  if (REQUIRED.some((c) => !index.has(c))) {
    // A header with letters but no Cyrillic where Russian names are expected: read in a foreign encoding.
    const names = header.join(' ');
    if (!/[а-яё]/i.test(names) && /[^\x00-\x7f]/.test(names)) return { ok: false, problem: 'encoding' };
    return { ok: false, problem: index.size ? 'noColumns' : 'unknownFormat' };
  }
  // csv-parse counts lines itself; a record's first line is needed for the preview ("строка 5").
  const lines = recordLines(text);
  const rows: BankRow[] = records.slice(1).map((r, i) => {
    const cell = (c: Column) => (index.has(c) ? (r[index.get(c)!] ?? '').trim() : '');
    const purpose = cell('purpose');
    let contract = contractNumberInCell(cell('contract'));
    if (!contract.number && !contract.ambiguous && purpose) contract = pick(contractNumbersIn(purpose));
    const payerAccount = cell('payerAccount');
    return {
      line: lines[i + 1] ?? i + 2,
      docNumber: clip(cell('docNumber'), 40),
      docDate: parseBankDate(cell('date')),
      dateText: clip(cell('date'), 40),
      amountKopecks: parseBankAmount(cell('amount')),
      amountText: clip(cell('amount'), 40),
      // A register names the payer by the personal account when it has no bank account column: the key needs one.
      payerAccount: clip(payerAccount || cell('contract'), 40),
      payerName: clip(cell('payerName'), 300),
      purpose: clip(purpose, 500),
      contractNumber: contract.number ? clip(contract.number, 20) : null,
      ambiguous: contract.ambiguous,
    };
  });
  if (!rows.length) return { ok: false, problem: 'noRows' };
  return { ok: true, format: 'csv', encoding, rows };
}

/** The first line of each non-empty record, skipping line breaks inside quotes. */
function recordLines(text: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let quoted = false;
  let blank = true;
  let start = 1;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === '\n' && !quoted) {
      if (!blank) starts.push(start);
      line++;
      start = line;
      blank = true;
      continue;
    }
    if (!/[\s;]/.test(ch)) blank = false;
  }
  if (!blank) starts.push(start);
  return starts;
}
