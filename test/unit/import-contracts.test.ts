// `kabinet import-contracts` (issue 11, item 10): windows-1251 and UTF-8 files, quoted fields with the separator
// inside, every error by line in a dry run, all rows or none, the opening balance in the ledger once, the first
// passwords in a file of their own and never in the output.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { createPasswordHasher } from '../../src/auth/passwords';
import { checkBalance } from '../../src/billing/service';
import { importContractsCommand } from '../../src/import-contracts/command';
import { parseBalance } from '../../src/import-contracts/service';
import { makeTestApp, type TestApp } from '../support/app';

jest.setTimeout(30_000);

let t: TestApp;
let dir: string;
let lines: string[];
const out = (line: string) => lines.push(line);
beforeEach(async () => {
  t = await makeTestApp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-contracts-'));
  lines = [];
  const [{ id: town }] = await t.ctx.db('towns').insert({ slug: 'nk', name: 'Новокузнецк', position: 1 }).returning('id');
  const [{ id: tariff }] = await t.ctx.db('tariffs').insert({ code: 'home100', name: 'Домашний 100', segment: 'flat', internet_mbps: 100, monthly_fee_kopecks: 50000, position: 1 }).returning('id');
  await t.ctx.db('tariff_towns').insert({ tariff_id: tariff, town_id: town });
});
afterEach(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.close();
});

const GOOD = [
  'Номер;ФИО;Город;Адрес;Телефоны;E-mail;Тариф;Баланс;Дата начала',
  '300001;Иванов Иван Иванович;Новокузнецк;"ул. Ленина, д. 1; кв. 2";8-913-123-45-67, +7 905 111-22-33;ivanov@example.com;Домашний 100;-1 234,50;01.03.2020',
  '300002;"Петрова ""Анна"" Сергеевна";новокузнецк;пр. Металлургов, 5;;;home100;500;2021-07-15',
  '300003;Сидоров С. С.;Новокузнецк;ул. Кирова, 10;9131112233;;Домашний 100;0;',
].join('\r\n');

function write(name: string, text: string, encoding: 'utf-8' | 'windows-1251' | 'utf-8-bom' = 'utf-8') {
  const file = path.join(dir, name);
  const bytes = encoding === 'windows-1251' ? iconv.encode(text, 'win1251') : Buffer.from((encoding === 'utf-8-bom' ? '\ufeff' : '') + text, 'utf8');
  fs.writeFileSync(file, bytes);
  return file;
}
const contracts = () => t.ctx.db('contracts').orderBy('number').select('id', 'number', 'name', 'address', 'email', 'balance_kopecks', 'status', 'created_at');

describe('kabinet import-contracts', () => {
  it.each(['windows-1251', 'utf-8', 'utf-8-bom'] as const)('imports a %s file: quotes with ";" inside, phones, e-mail, the opening balance through the ledger', async (enc) => {
    const file = write('old.csv', GOOD, enc);
    const passwords = path.join(dir, 'passwords.csv');
    expect(await importContractsCommand(t.ctx, [file, '--passwords-out', passwords], out)).toBe(0);
    const rows = await contracts();
    expect(rows.map((r) => [r.number, r.name, r.address, r.email, r.balance_kopecks])).toEqual([
      ['300001', 'Иванов Иван Иванович', 'ул. Ленина, д. 1; кв. 2', 'ivanov@example.com', -123450],
      ['300002', 'Петрова "Анна" Сергеевна', 'пр. Металлургов, 5', null, 50000],
      ['300003', 'Сидоров С. С.', 'ул. Кирова, 10', null, 0],
    ]);
    expect(rows[0].status).toBe('blocked'); // a debt below the credit limit, as billing's rules say
    for (const r of rows) expect(await checkBalance(t.ctx.db, r.id)).toEqual({ cached: r.balance_kopecks, ledger: r.balance_kopecks });
    expect(await t.ctx.db('ledger_entries').where({ contract_id: rows[0].id }).select('kind', 'amount_kopecks', 'idempotency_key')).toEqual([
      { kind: 'correction', amount_kopecks: -123450, idempotency_key: 'import:opening:300001' },
    ]);
    expect((await t.ctx.db('contract_phones').where({ contract_id: rows[0].id }).orderBy('phone').pluck('phone'))).toEqual(['+79051112233', '+79131234567']);
    expect(rows[1].created_at).toBe('2021-07-14T17:00:00.000Z'); // the start day's beginning in Novokuznetsk

    // The passwords: in the file only (mode 0600), each one lets its subscriber in; never in the output.
    expect(fs.statSync(passwords).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(passwords, 'utf8').replace(/^\ufeff/, '').trim().split('\n');
    expect(text[0]).toBe('number;name;password');
    const hasher = createPasswordHasher(t.ctx.config.passwordPepper, t.ctx.config.bcryptCost);
    for (const line of text.slice(1)) {
      const [number, , password] = line.split(';');
      const row = await t.ctx.db('contracts').where({ number }).first('password_hash');
      expect(await hasher.verify(password, row.password_hash)).toBe(true);
      expect(lines.join('\n')).not.toContain(password);
    }
    expect(lines.join('\n')).toContain('imported 3 contracts');
    const audit = await t.ctx.db('audit_log').where({ action: 'contracts_imported' }).select('actor', 'detail');
    expect(audit).toEqual([{ actor: 'system', detail: JSON.stringify({ count: 3, file: 'old.csv' }) }]);
  });

  it('lists every error by line in a dry run with "," as the separator, and imports nothing', async () => {
    await importContractsCommand(t.ctx, [write('first.csv', GOOD), '--passwords-out', path.join(dir, 'p1.csv')], () => undefined);
    const file = write('bad.csv', [
      'number,name,town,address,phones,email,tariff,balance,start',
      '400001,Абонент Один,Новокузнецк,"ул. Мира, 1",,,Домашний 500,0,01.01.2024',
      '400002,Абонент Два,Новокузнецк,ул. Мира 2,12345,,home100,0,01.01.2024',
      '400003,Абонент Три,Новокузнецк,ул. Мира 3,,not-an-email,home100,"1 2,3,4",31.02.2024',
      '400001,Абонент Четыре,Москва,ул. Мира 4,,,home100,0,',
      '300001,Абонент Пять,Новокузнецк,ул. Мира 5,,,home100,0,01.01.2099',
      '4000x6,Абонент Шесть,Новокузнецк,ул. Мира 6,,,home100,0,',
    ].join('\n'));
    const before = await contracts();
    expect(await importContractsCommand(t.ctx, [file, '--dry-run'], out)).toBe(1);
    expect(lines).toEqual(expect.arrayContaining([
      'строка 2: неизвестный тариф "Домашний 500"',
      'строка 3: неверный телефон "12345"',
      'строка 4: неверный e-mail "not-an-email"',
      'строка 4: неверная сумма баланса "1 2,3,4"',
      'строка 4: неверная дата начала "31.02.2024" (нужно ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)',
      'строка 5: номер договора 400001 уже встречался в строке 2',
      'строка 5: неизвестный город "Москва"',
      'строка 6: договор №\u00a0300001 уже есть в базе',
      'строка 6: дата начала "01.01.2099" ещё не наступила',
      'строка 7: номер договора «4000x6» — нужны только цифры, не больше 12',
    ]));
    expect(await contracts()).toEqual(before);
  });

  it('imports nothing when one row of many is bad, and writes no passwords file', async () => {
    const file = write('one-bad.csv', `${GOOD}\n300004;Абонент;Новокузнецк;ул. Мира 4;;;Нет такого;0;`);
    expect(await importContractsCommand(t.ctx, [file], out)).toBe(1);
    expect(lines).toContain('строка 5: неизвестный тариф "Нет такого"');
    expect(await contracts()).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['one-bad.csv']);
  });

  it('refuses a second run of the same file (the numbers exist) and never doubles a balance; a dry run of a good file writes nothing', async () => {
    const file = write('old.csv', GOOD);
    expect(await importContractsCommand(t.ctx, [file, '--dry-run'], out)).toBe(0);
    expect(await contracts()).toEqual([]);
    expect(await importContractsCommand(t.ctx, [file], out)).toBe(0);
    expect(fs.existsSync(path.join(dir, 'import-passwords-2026-11-24.csv'))).toBe(true);
    lines = [];
    expect(await importContractsCommand(t.ctx, [file, '--passwords-out', path.join(dir, 'again.csv')], out)).toBe(1);
    expect(lines).toContain('строка 2: договор №\u00a0300001 уже есть в базе');
    expect(Number((await t.ctx.db('ledger_entries').count({ n: '*' }))[0].n)).toBe(2);
    expect(await t.ctx.db('audit_log').where({ action: 'contracts_imported' })).toHaveLength(1);
  });

  it('refuses to overwrite a passwords file, before importing anything', async () => {
    const file = write('old.csv', GOOD);
    const passwords = path.join(dir, 'taken.csv');
    fs.writeFileSync(passwords, 'keep me');
    await expect(importContractsCommand(t.ctx, [file, '--passwords-out', passwords], out)).rejects.toThrow('is never overwritten');
    expect(fs.readFileSync(passwords, 'utf8')).toBe('keep me');
    expect(await contracts()).toEqual([]);
  });

  it('reads balances as an old billing writes them', () => {
    expect(parseBalance('-1 234,50')).toBe(-123450);
    expect(parseBalance('−50')).toBe(-5000);
    expect(parseBalance('1\u00a0000.5')).toBe(100050);
    expect(parseBalance('')).toBe(0);
    expect(parseBalance('abc')).toBeNull();
  });
});
