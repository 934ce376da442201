// The bank register readers: 1C client-bank exchange and CSV, encodings by their bytes, contract numbers in a purpose.
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { contractNumbersIn, parseBankAmount, parseBankDate, paymentKey } from '../../src/admin/registers/bankRow';
import { parseRegister } from '../../src/admin/registers/parse';
import { oneC } from '../support/registers';

describe('contract numbers in a payment purpose', () => {
  it.each([
    ['Оплата по договору 100123 за интернет', ['100123']],
    ['л/с 100123', ['100123']],
    ['Оплата услуг, лицевой счет № 100123, без НДС', ['100123']],
    ['дог. 100123', ['100123']],
    ['ДОГОВОР №100123', ['100123']],
    ['Лиц. сч. 100123', ['100123']],
  ])('finds the number in «%s»', (purpose, expected) => {
    expect(contractNumbersIn(purpose)).toEqual(expected);
  });

  it.each([
    'Оплата за интернет ИНН 421712345678',
    'Оплата по договору 1001234 сумма 100123',
    'Перевод 100123.50 руб',
    'договор 100123,50',
    'Оплата услуг связи',
  ])('takes no INN, amount or longer number from «%s»', (purpose) => {
    expect(contractNumbersIn(purpose)).toEqual([]);
  });

  it('returns both numbers when a purpose names two contracts', () => {
    expect(contractNumbersIn('л/с 100123 и л/с 100124')).toEqual(['100123', '100124']);
  });
});

describe('dates and amounts of a bank document', () => {
  it('reads amounts with commas, spaces and no-break spaces', () => {
    expect(parseBankAmount('1 234,50')).toBe(123450);
    expect(parseBankAmount('1234.50')).toBe(123450);
    expect(parseBankAmount('1\u00a0234,50')).toBe(123450);
    expect(parseBankAmount('-5,00')).toBe(-500);
    expect(parseBankAmount('abc')).toBeNull();
  });

  it('reads dd.mm.yyyy and yyyy-mm-dd and refuses a day that does not exist', () => {
    expect(parseBankDate('05.11.2026')).toBe('2026-11-05');
    expect(parseBankDate('2026-11-05')).toBe('2026-11-05');
    expect(parseBankDate('31.02.2026')).toBeNull();
    expect(parseBankDate('вчера')).toBeNull();
  });

  it('keys a document by number, date, amount and payer account', () => {
    const base = { docNumber: '7', docDate: '2026-11-05', dateText: '05.11.2026', amountKopecks: 100, amountText: '1,00', payerAccount: '40817' };
    expect(paymentKey(base)).toBe(paymentKey({ ...base, amountText: '1.00', dateText: '2026-11-05' }));
    expect(paymentKey(base)).not.toBe(paymentKey({ ...base, docNumber: '8' }));
    expect(paymentKey(base)).toMatch(/^bank:[0-9a-f]{64}$/);
  });
});

describe('the 1C client-bank exchange format', () => {
  const doc = { Номер: '15', Дата: '05.11.2026', Сумма: '1234.50', ПлательщикСчет: '40817810000000000001', Плательщик1: 'Иванов Иван Иванович', НазначениеПлатежа: 'Оплата по договору 100123' };

  it('reads a windows-1251 file, one row per СекцияДокумент', () => {
    const r = parseRegister(oneC([doc, { ...doc, Номер: '16', НазначениеПлатежа: 'За интернет' }]));
    expect(r).toMatchObject({ ok: true, format: '1c', encoding: 'windows-1251' });
    if (!r.ok) throw new Error();
    expect(r.rows).toHaveLength(2);
    expect(r.rows[0]).toMatchObject({ line: 7, docNumber: '15', docDate: '2026-11-05', amountKopecks: 123450, payerName: 'Иванов Иван Иванович', contractNumber: '100123' });
    expect(r.rows[1].contractNumber).toBeNull();
  });

  it('reads the same file saved in UTF-8 and in DOS encoding', () => {
    expect(parseRegister(oneC([doc], 'utf8'))).toMatchObject({ ok: true, encoding: 'utf-8' });
    expect(parseRegister(oneC([doc], 'cp866'))).toMatchObject({ ok: true, encoding: 'cp866' });
  });

  it('says the encoding is wrong when the Russian keys cannot be read', () => {
    expect(parseRegister(oneC([doc], 'koi8-r'))).toEqual({ ok: false, problem: 'encoding' });
  });

  it('says there are no payments in a file without sections', () => {
    expect(parseRegister(oneC([]))).toEqual({ ok: false, problem: 'noRows' });
  });
});

describe('the CSV register', () => {
  const csv = 'Дата;Сумма;Лицевой счет;Номер документа;Назначение\r\n05.11.2026;"1 234,50";100123;11;"Оплата; интернет"\r\n06.11.2026;1234.50;100124;12;\r\n';

  it('reads UTF-8 with quoted «;» and «1 234,50»', () => {
    const r = parseRegister(Buffer.from(csv, 'utf8'));
    expect(r).toMatchObject({ ok: true, format: 'csv', encoding: 'utf-8' });
    if (!r.ok) throw new Error();
    expect(r.rows).toEqual([
      expect.objectContaining({ line: 2, docNumber: '11', docDate: '2026-11-05', amountKopecks: 123450, contractNumber: '100123', purpose: 'Оплата; интернет' }),
      expect.objectContaining({ line: 3, docNumber: '12', amountKopecks: 123450, contractNumber: '100124' }),
    ]);
  });

  it('reads windows-1251 and a UTF-8 file with a BOM, and accepts synonyms in the header', () => {
    expect(parseRegister(iconv.encode(csv, 'win1251'))).toMatchObject({ ok: true, encoding: 'windows-1251' });
    expect(parseRegister(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]))).toMatchObject({ ok: true, encoding: 'utf-8' });
    const other = 'Дата платежа;Сумма платежа;Л/С;№ документа\n05.11.2026;100,00;100123;1\n';
    expect(parseRegister(Buffer.from(other))).toMatchObject({ ok: true, rows: [expect.objectContaining({ amountKopecks: 10000, contractNumber: '100123' })] });
  });

  it('recognises UTF-8 read as windows-1251 (mojibake) as a wrong encoding', () => {
    const mojibake = iconv.encode(iconv.decode(Buffer.from(csv, 'utf8'), 'win1251'), 'utf8');
    expect(parseRegister(mojibake)).toEqual({ ok: false, problem: 'encoding' });
  });

  it('refuses an empty file, a file of another format and a CSV without the needed columns', () => {
    expect(parseRegister(Buffer.alloc(0))).toEqual({ ok: false, problem: 'empty' });
    expect(parseRegister(Buffer.from(' \r\n'))).toEqual({ ok: false, problem: 'empty' });
    expect(parseRegister(Buffer.from('%PDF-1.4 something'))).toEqual({ ok: false, problem: 'unknownFormat' });
    expect(parseRegister(Buffer.from('Дата;Сумма\n05.11.2026;1,00\n'))).toEqual({ ok: false, problem: 'noColumns' });
    expect(parseRegister(Buffer.from('Дата;Сумма;Лицевой счет;Номер документа\n05.11.2026;"1,00;100123;1\n'))).toEqual({ ok: false, problem: 'badCsv' });
  });
});

describe('the examples in docs/registers.md', () => {
  it.each([
    ['register-1c.txt', '1c', ['100123', '100124', null]],
    ['register.csv', 'csv', ['100123', '100124', '100125']],
  ])('%s reads as documented', (file, format, numbers) => {
    const r = parseRegister(fs.readFileSync(path.join(__dirname, '../../docs/examples', file)));
    expect(r).toMatchObject({ ok: true, format });
    if (!r.ok) throw new Error();
    expect(r.rows.map((row) => row.contractNumber)).toEqual(numbers);
  });
});
