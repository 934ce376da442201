// Bank register files for the tests: a 1C client-bank exchange file built line by line, in the encoding asked.
import iconv from 'iconv-lite';

export function oneC(docs: Record<string, string>[], encoding = 'win1251'): Buffer {
  const lines = ['1CClientBankExchange', 'ВерсияФормата=1.03', 'Кодировка=Windows', 'Отправитель=Бухгалтерия', 'ДатаНачала=01.11.2026', 'ДатаКонца=24.11.2026'];
  for (const d of docs) {
    lines.push('СекцияДокумент=Платежное поручение');
    for (const [k, v] of Object.entries(d)) lines.push(`${k}=${v}`);
    lines.push('КонецДокумента');
  }
  lines.push('КонецФайла');
  return iconv.encode(lines.join('\r\n'), encoding);
}

/** One incoming payment of a 1C file. */
export const payment = (n: number, purpose: string, amount = '1234.50', date = '05.11.2026', account = `4081781000000000${String(1000 + n)}`) => ({
  Номер: String(n), Дата: date, Сумма: amount, ПлательщикСчет: account, Плательщик1: `Плательщик ${n}`, НазначениеПлатежа: purpose,
});
