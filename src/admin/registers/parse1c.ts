// The 1C client-bank exchange format (1CClientBankExchange): `Ключ=Значение` lines, one
// `СекцияДокумент=…` … `КонецДокумента` section per payment. The contract number is looked for in НазначениеПлатежа.
import { clip, contractNumbersIn, parseBankAmount, parseBankDate, pick, type BankRow, type Encoding, type ParsedRegister } from './bankRow';

export const is1C = (text: string) => /^\s*1CClientBankExchange\s*(\r?\n|$)/.test(text);

export function parse1C(text: string, encoding: Encoding): ParsedRegister {
  const lines = text.split(/\r\n|\r|\n/);
  // Every real file names its encoding and its sections in Russian: none of them readable means the wrong encoding.
  if (!lines.some((l) => /^(Кодировка|СекцияДокумент|КонецФайла|ВерсияФормата|Отправитель|ДатаНачала)=?/.test(l.trim()))) {
    return { ok: false, problem: 'encoding' };
  }
  const rows: BankRow[] = [];
  let doc: { line: number; fields: Map<string, string> } | null = null;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('СекцияДокумент')) {
      doc = { line: i + 1, fields: new Map() };
      return;
    }
    if (line === 'КонецДокумента') {
      if (doc) rows.push(toRow(doc.line, doc.fields));
      doc = null;
      return;
    }
    const eq = line.indexOf('=');
    if (doc && eq > 0) doc.fields.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  });
  if (!rows.length) return { ok: false, problem: 'noRows' };
  return { ok: true, format: '1c', encoding, rows };
}

function toRow(line: number, f: Map<string, string>): BankRow {
  const get = (...keys: string[]) => keys.map((k) => f.get(k)).find((v) => v !== undefined && v !== '') ?? '';
  // A long purpose may go on in НазначениеПлатежа1…6 (older exports).
  const purpose = [get('НазначениеПлатежа'), ...[1, 2, 3, 4, 5, 6].map((n) => get(`НазначениеПлатежа${n}`))].filter(Boolean).join(' ');
  const dateText = get('Дата', 'ДатаПоступило', 'ДатаСписано');
  const amountText = get('Сумма');
  const contract = pick(contractNumbersIn(purpose));
  return {
    line,
    docNumber: clip(get('Номер'), 40),
    docDate: parseBankDate(dateText),
    dateText: clip(dateText, 40),
    amountKopecks: parseBankAmount(amountText),
    amountText: clip(amountText, 40),
    payerAccount: clip(get('ПлательщикСчет', 'ПлательщикРасчСчет'), 40),
    recipientAccount: clip(get('ПолучательСчет', 'ПолучательРасчСчет'), 40),
    payerName: clip(get('Плательщик1', 'Плательщик'), 300),
    purpose: clip(purpose, 500),
    contractNumber: contract.number,
    ambiguous: contract.ambiguous,
  };
}
