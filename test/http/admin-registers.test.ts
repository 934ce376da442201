// «Импорт реестра», its preview and «Провести», «Неразнесённые платежи»: money moves once per bank document.
import iconv from 'iconv-lite';
import { checkBalance } from '../../src/billing/service';
import { makeTestApp, type TestApp } from '../support/app';
import { makeContract } from '../support/factories';
import { oneC, payment } from '../support/registers';
import { staffAgent, staffCsrf, staffPost, type StaffAgent } from '../support/staff';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.close());

const count = async (table: string, where: Record<string, unknown> = {}) => Number((await t.ctx.db(table).where(where).count({ n: '*' }).first())?.n ?? 0);
const audits = (action: string) => t.ctx.db('audit_log').where({ action }).select('actor_id', 'contract_id', 'detail', 'before', 'after');
const parsed = (s: string | null) => (s === null ? null : typeof s === 'string' ? JSON.parse(s) : s);

async function upload(agent: StaffAgent, bytes: Buffer, name = 'выписка.txt') {
  const token = await staffCsrf(agent, '/admin/registers');
  return agent.post('/admin/registers').field('_csrf', token).attach('file', bytes, { filename: name, contentType: 'text/plain' });
}
const registerIdOf = (res: { status: number; headers: Record<string, string> }) => {
  expect(res.status).toBe(303);
  return Number(/\/admin\/registers\/(\d+)$/.exec(res.headers.location)![1]);
};
const rowsOf = (registerId: number) => t.ctx.db('bank_register_rows').where({ register_id: registerId }).orderBy('line').select('status', 'reason', 'contract_id', 'amount_kopecks', 'payment_id');
const apply = (agent: StaffAgent, id: number) => staffPost(agent, `/admin/registers/${id}/apply`, {}, `/admin/registers/${id}`);

async function threeContracts() {
  // One after another: the ids then follow the numbers (the tests order rows by contract id).
  const a = await makeContract(t.ctx, { number: '100123', name: 'Иванов И. И.' });
  const b = await makeContract(t.ctx, { number: '100124' });
  return [a, b, await makeContract(t.ctx, { number: '100125' })];
}

describe('importing a 1C register', () => {
  it('shows a preview of a windows-1251 file: matched rows, one without a contract number, one of an unknown contract, and pays nothing yet', async () => {
    const [a, b] = await threeContracts();
    const { agent, staff } = await staffAgent(t, 'cashier');
    const file = oneC([
      payment(1, 'Оплата по договору 100123'),
      payment(2, 'л/с 100124 за ноябрь', '500.00'),
      payment(3, 'Оплата за интернет'),
      payment(4, 'дог. 999999'),
    ]);
    const id = registerIdOf(await upload(agent, file));
    const page = await agent.get(`/admin/registers/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Реестр «выписка.txt»');
    expect(page.text).toContain('Иванов И. И.');
    expect(page.text).toMatch(/1\s234,50/u);
    expect(page.text).toContain('номер договора не найден в назначении платежа');
    expect(page.text).toContain('договора с таким номером нет');
    expect(page.text).toContain('>Провести</button>');
    expect(await rowsOf(id)).toEqual([
      expect.objectContaining({ status: 'matched', contract_id: a.id, amount_kopecks: 123450 }),
      expect.objectContaining({ status: 'matched', contract_id: b.id, amount_kopecks: 50000 }),
      expect.objectContaining({ status: 'problem', reason: 'noContractNumber' }),
      expect.objectContaining({ status: 'problem', reason: 'unknownContract' }),
    ]);
    expect(await count('ledger_entries')).toBe(0);
    expect(await count('bank_register_rows', { status: 'unmatched' })).toBe(0);
    const [audit] = await audits('register_uploaded');
    expect(audit.actor_id).toBe(staff.id);
    expect(parsed(audit.detail)).toMatchObject({ registerId: id, format: '1c', encoding: 'windows-1251', rows: 4 });
    const list = await agent.get('/admin/registers');
    expect(list.text).toContain('выписка.txt');
    expect(list.text).toContain('не проведён');
  });

  it('«Провести» pays the matched rows once through billing, sends the rest to «Неразнесённые платежи», and a second click pays nothing', async () => {
    const [a, b] = await threeContracts();
    const { agent } = await staffAgent(t, 'cashier');
    const id = registerIdOf(await upload(agent, oneC([payment(1, 'Оплата по договору 100123'), payment(2, 'л/с 100124', '500.00'), payment(3, 'Без номера')])));
    const done = await apply(agent, id);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/admin/registers/${id}?applied=1`);
    expect(await rowsOf(id)).toEqual([
      expect.objectContaining({ status: 'paid', payment_id: expect.any(Number) }),
      expect.objectContaining({ status: 'paid' }),
      expect.objectContaining({ status: 'unmatched', reason: 'noContractNumber' }),
    ]);
    expect(await t.ctx.db('payments').where({ method: 'bank' }).orderBy('contract_id').select('contract_id', 'amount_kopecks', 'status')).toEqual([
      { contract_id: a.id, amount_kopecks: 123450, status: 'succeeded' },
      { contract_id: b.id, amount_kopecks: 50000, status: 'succeeded' },
    ]);
    for (const c of [a, b]) {
      const bal = await checkBalance(t.ctx.db, c.id);
      expect(bal.cached).toBe(bal.ledger);
    }
    expect((await checkBalance(t.ctx.db, a.id)).ledger).toBe(123450);
    const [audit] = await audits('register_applied');
    expect(parsed(audit.detail)).toEqual({ registerId: id, paid: 2, duplicates: 0, unmatched: 1, totalKopecks: 173450 });
    const page = await agent.get(done.headers.location);
    expect(page.text).toContain('Реестр проведён.');
    expect(page.text).toMatch(/Зачислено: 2 на 1\s734,50/u);

    const again = await apply(agent, id);
    expect(again.headers.location).toBe(`/admin/registers/${id}?already=1`);
    expect(await count('ledger_entries', { kind: 'payment' })).toBe(2);
    expect(await audits('register_applied')).toHaveLength(1);
  });

  it('two clicks on «Провести» at once pay once', async () => {
    await threeContracts();
    const { agent } = await staffAgent(t, 'cashier');
    const id = registerIdOf(await upload(agent, oneC([payment(1, 'Оплата по договору 100123')])));
    const token = await staffCsrf(agent, `/admin/registers/${id}`);
    const results = await Promise.all([1, 2].map(() => agent.post(`/admin/registers/${id}/apply`).type('form').send({ _csrf: token })));
    expect(results.map((r) => r.status)).toEqual([303, 303]);
    expect(results.map((r) => r.headers.location).sort()).toEqual([`/admin/registers/${id}?already=1`, `/admin/registers/${id}?applied=1`]);
    expect(await count('ledger_entries', { kind: 'payment' })).toBe(1);
    expect(await count('payments', { method: 'bank' })).toBe(1);
  });

  it('the same file uploaded again shows every payment as a duplicate, and applying it pays nothing', async () => {
    const [a] = await threeContracts();
    const { agent } = await staffAgent(t, 'cashier');
    const file = oneC([payment(1, 'Оплата по договору 100123'), payment(2, 'л/с 100124', '500.00')]);
    await apply(agent, registerIdOf(await upload(agent, file)));
    const ledger = await count('ledger_entries');
    const second = registerIdOf(await upload(agent, file, 'выписка-2.txt'));
    const page = await agent.get(`/admin/registers/${second}`);
    expect(page.text).toContain('уже зачислен по другому реестру');
    expect(page.text).toContain('Этот же файл уже загружался');
    expect((await rowsOf(second)).map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    await apply(agent, second);
    expect(await count('ledger_entries')).toBe(ledger);
    expect((await checkBalance(t.ctx.db, a.id)).ledger).toBe(123450);
  });

  it('an overlapping file pays only its new payments, and a payment twice in one file is paid once', async () => {
    const [a, b, c] = await threeContracts();
    const { agent } = await staffAgent(t, 'cashier');
    await apply(agent, registerIdOf(await upload(agent, oneC([payment(1, 'Оплата по договору 100123'), payment(2, 'л/с 100124', '500.00'), payment(9, 'Без номера', '10.00')]))));
    const overlap = registerIdOf(await upload(agent, oneC([payment(2, 'л/с 100124', '500.00'), payment(3, 'л/с 100125', '300.00'), payment(3, 'л/с 100125', '300.00'), payment(9, 'Без номера', '10.00')])));
    expect(await rowsOf(overlap)).toEqual([
      expect.objectContaining({ status: 'duplicate', reason: 'paidBefore' }),
      expect.objectContaining({ status: 'matched', contract_id: c.id }),
      expect.objectContaining({ status: 'duplicate', reason: 'inFile' }),
      expect.objectContaining({ status: 'duplicate', reason: 'paidBefore' }),
    ]);
    await apply(agent, overlap);
    expect((await checkBalance(t.ctx.db, a.id)).ledger).toBe(123450);
    expect((await checkBalance(t.ctx.db, b.id)).ledger).toBe(50000);
    expect((await checkBalance(t.ctx.db, c.id)).ledger).toBe(30000);
    expect(await count('ledger_entries', { kind: 'payment' })).toBe(3);
    expect(await count('bank_register_rows', { status: 'unmatched' })).toBe(1);
  });

  it('a payment dated in the future, of a zero amount or with a date that does not exist is unmatched with its reason', async () => {
    await threeContracts();
    const { agent } = await staffAgent(t, 'cashier');
    const id = registerIdOf(await upload(agent, oneC([payment(1, 'л/с 100123', '100.00', '25.11.2026'), payment(2, 'л/с 100123', '0.00'), payment(3, 'л/с 100123', '100.00', '31.02.2026')])));
    expect((await rowsOf(id)).map((r) => r.reason)).toEqual(['futureDate', 'amountNotPositive', 'badDate']);
    const page = await agent.get(`/admin/registers/${id}`);
    expect(page.text).toContain('дата платежа в будущем');
    await apply(agent, id);
    expect(await count('ledger_entries')).toBe(0);
    expect(await count('bank_register_rows', { status: 'unmatched' })).toBe(3);
  });

  it('a statement\'s outgoing payment (to another account than the provider\'s) pays nobody and says why', async () => {
    await threeContracts();
    await t.ctx.db('provider_bank_details').insert({ recipient: 'ООО «Сеть»', inn: '4217000000', kpp: '421701001', account: '40702810900000012345', bank: 'Банк', bik: '043207000', corr_account: '30101810900000000999' });
    const { agent } = await staffAgent(t, 'cashier');
    const incoming = { ...payment(1, 'Оплата по договору 100123', '100.00'), ПолучательСчет: '40702810900000012345' };
    const outgoing = { ...payment(2, 'Оплата по договору 100124 поставщику', '200.00'), ПолучательСчет: '40702810100000099999' };
    const id = registerIdOf(await upload(agent, oneC([incoming, outgoing])));
    expect((await rowsOf(id)).map((r) => [r.status, r.reason])).toEqual([['matched', null], ['problem', 'outgoing']]);
    expect((await agent.get(`/admin/registers/${id}`)).text).toContain('исходящий платёж');
    await apply(agent, id);
    expect(await count('ledger_entries')).toBe(1);
  });
});

describe('importing a CSV register', () => {
  const csv = 'Дата;Сумма;Лицевой счет;Номер документа;Назначение\r\n05.11.2026;"1 234,50";100123;11;"Оплата; интернет"\r\n06.11.2026;"1\u00a0000,00";100124;12;\r\n';

  it.each([
    ['UTF-8', Buffer.from(csv, 'utf8'), 'utf-8'],
    ['windows-1251', iconv.encode(csv, 'win1251'), 'windows-1251'],
  ])('reads one in %s with «;» inside quotes and «1 234,50», and pays it', async (_name, bytes, encoding) => {
    const [a, b] = await threeContracts();
    const { agent } = await staffAgent(t, 'admin');
    const id = registerIdOf(await upload(agent, bytes, 'реестр.csv'));
    expect(await t.ctx.db('bank_registers').where({ id }).first('format', 'encoding')).toEqual({ format: 'csv', encoding });
    const page = await agent.get(`/admin/registers/${id}`);
    expect(page.text).toContain('Оплата; интернет');
    await apply(agent, id);
    expect((await checkBalance(t.ctx.db, a.id)).ledger).toBe(123450);
    expect((await checkBalance(t.ctx.db, b.id)).ledger).toBe(100000);
  });
});

describe('files that are not registers', () => {
  it.each([
    ['an empty file', Buffer.alloc(0), 'Файл пустой'],
    ['a file of another format', Buffer.from('%PDF-1.4\n%âãÏÓ\n'), 'Формат файла не распознан'],
    ['a 1C file in the wrong encoding', oneC([payment(1, 'л/с 100123')], 'koi8-r'), 'Файл в неверной кодировке'],
    ['a CSV read in the wrong encoding', iconv.encode(iconv.decode(Buffer.from('Дата;Сумма;Лицевой счет;Номер документа\n05.11.2026;1,00;100123;1\n'), 'win1251'), 'utf8'), 'Файл в неверной кодировке'],
    ['a CSV with a quote left open', Buffer.from('Дата;Сумма;Лицевой счет;Номер документа\n05.11.2026;"1,00;100123;1\n'), 'Реестр CSV повреждён'],
  ])('%s gets a clear message and stores nothing', async (_name, bytes, message) => {
    const { agent } = await staffAgent(t, 'cashier');
    const res = await upload(agent, bytes);
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await count('bank_registers')).toBe(0);
    expect(await count('bank_register_rows')).toBe(0);
  });

  it('a 50 MB file gets «Файл слишком большой» (413) and stores nothing', async () => {
    const { agent } = await staffAgent(t, 'cashier');
    const res = await upload(agent, Buffer.alloc(50 * 1024 * 1024, 0x41), 'big.csv');
    expect(res.status).toBe(413);
    expect(res.text).toContain('Файл слишком большой');
    expect(await count('bank_registers')).toBe(0);
  });

  it('a post without a file asks for one (422)', async () => {
    const { agent } = await staffAgent(t, 'cashier');
    const token = await staffCsrf(agent, '/admin/registers');
    const res = await agent.post('/admin/registers').field('_csrf', token);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Выберите файл реестра');
  });
});

describe('«Неразнесённые платежи»', () => {
  async function waitingRows() {
    const [a] = await threeContracts();
    const { agent, staff } = await staffAgent(t, 'cashier');
    await apply(agent, registerIdOf(await upload(agent, oneC([payment(1, 'Оплата за интернет', '700.00'), payment(2, 'дог. 999999', '300.00')]))));
    const rows = await t.ctx.db('bank_register_rows').where({ status: 'unmatched' }).orderBy('line').select('id');
    return { a, agent, staff, rows: rows.map((r) => r.id as number) };
  }

  it('lists the waiting rows; «Разнести» pays the contract typed, once, and is audited', async () => {
    const { a, agent, staff, rows } = await waitingRows();
    const page = await agent.get('/admin/registers/unmatched');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Оплата за интернет');
    expect(page.text).toContain('>Разнести</button>');
    const res = await staffPost(agent, `/admin/registers/rows/${rows[0]}/assign`, { contract: ' 100123 ' }, '/admin/registers/unmatched');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/registers/unmatched?done=assigned');
    expect(await t.ctx.db('bank_register_rows').where({ id: rows[0] }).first('status', 'contract_id')).toEqual({ status: 'assigned', contract_id: a.id });
    expect((await checkBalance(t.ctx.db, a.id)).ledger).toBe(70000);
    expect(await count('payments', { method: 'bank', contract_id: a.id })).toBe(1);
    const [audit] = await audits('register_row_assigned');
    expect(audit).toMatchObject({ actor_id: staff.id, contract_id: a.id });
    expect(parsed(audit.after)).toEqual({ status: 'assigned', contractNumber: '100123' });
    const again = await staffPost(agent, `/admin/registers/rows/${rows[0]}/assign`, { contract: '100123' }, '/admin/registers/unmatched');
    expect(again.status).toBe(409);
    expect(again.text).toContain('Этот платёж уже разнесён или возвращён.');
    expect((await checkBalance(t.ctx.db, a.id)).ledger).toBe(70000);
    expect((await agent.get('/admin/registers/unmatched?done=assigned')).text).toContain('Платёж разнесён на договор.');
  });

  it('«Разнести» refuses an unknown contract and letters (422, the number kept), and pays nothing', async () => {
    const { agent, rows } = await waitingRows();
    const unknown = await staffPost(agent, `/admin/registers/rows/${rows[0]}/assign`, { contract: '999998' }, '/admin/registers/unmatched');
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Договора с таким номером нет');
    expect(unknown.text).toContain('value="999998"');
    const letters = await staffPost(agent, `/admin/registers/rows/${rows[0]}/assign`, { contract: '10O123' }, '/admin/registers/unmatched');
    expect(letters.status).toBe(422);
    expect(letters.text).toContain('Номер договора состоит только из цифр');
    expect(await count('ledger_entries')).toBe(0);
    expect(await audits('register_row_assigned')).toHaveLength(0);
  });

  it('«Вернуть плательщику» needs a note, moves no money, and is audited', async () => {
    const { agent, staff, rows } = await waitingRows();
    const empty = await staffPost(agent, `/admin/registers/rows/${rows[1]}/return`, { note: '  ' }, '/admin/registers/unmatched');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Укажите причину возврата');
    const res = await staffPost(agent, `/admin/registers/rows/${rows[1]}/return`, { note: 'Договор не наш, вернуть по заявлению' }, '/admin/registers/unmatched');
    expect(res.status).toBe(303);
    expect(await t.ctx.db('bank_register_rows').where({ id: rows[1] }).first('status', 'note', 'handled_by')).toEqual({ status: 'returned', note: 'Договор не наш, вернуть по заявлению', handled_by: staff.id });
    expect(await count('ledger_entries')).toBe(0);
    const [audit] = await audits('register_row_returned');
    expect(parsed(audit.after)).toEqual({ status: 'returned', note: 'Договор не наш, вернуть по заявлению' });
    const page = await agent.get('/admin/registers/unmatched');
    expect(page.text).not.toContain('дог. 999999');
  });
});

describe('who may import registers', () => {
  it.each(['support', 'content'] as const)('%s gets 403 on every page and post, and nothing changes', async (role) => {
    await threeContracts();
    const cashier = await staffAgent(t, 'cashier');
    const id = registerIdOf(await upload(cashier.agent, oneC([payment(1, 'л/с 100123'), payment(2, 'Без номера')])));
    const { agent } = await staffAgent(t, role);
    for (const path of ['/admin/registers', `/admin/registers/${id}`, '/admin/registers/unmatched']) {
      expect((await agent.get(path)).status).toBe(403);
    }
    const token = await staffCsrf(agent, '/admin');
    const up = await agent.post('/admin/registers').field('_csrf', token).attach('file', oneC([payment(5, 'л/с 100124')]), 'x.txt');
    expect(up.status).toBe(403);
    expect((await agent.post(`/admin/registers/${id}/apply`).type('form').send({ _csrf: token })).status).toBe(403);
    await apply(cashier.agent, id);
    const [row] = await t.ctx.db('bank_register_rows').where({ status: 'unmatched' }).select('id');
    expect((await agent.post(`/admin/registers/rows/${row.id}/assign`).type('form').send({ _csrf: token, contract: '100123' })).status).toBe(403);
    expect((await agent.post(`/admin/registers/rows/${row.id}/return`).type('form').send({ _csrf: token, note: 'x' })).status).toBe(403);
    expect(await count('bank_registers')).toBe(1);
    expect(await count('ledger_entries')).toBe(1);
    expect(await count('bank_register_rows', { status: 'unmatched' })).toBe(1);
    expect(await count('audit_log', { action: 'staff_forbidden' })).toBe(4);
  });

  it('refuses an upload, an apply, an assign and a return without the csrf token (403), changing nothing', async () => {
    await threeContracts();
    const { agent } = await staffAgent(t, 'cashier');
    const noToken = await agent.post('/admin/registers').attach('file', oneC([payment(1, 'л/с 100123')]), 'x.txt');
    expect(noToken.status).toBe(403);
    expect(await count('bank_registers')).toBe(0);
    const id = registerIdOf(await upload(agent, oneC([payment(1, 'л/с 100123'), payment(2, 'Без номера')])));
    expect((await agent.post(`/admin/registers/${id}/apply`).type('form').send({})).status).toBe(403);
    expect(await count('ledger_entries')).toBe(0);
    await apply(agent, id);
    const [row] = await t.ctx.db('bank_register_rows').where({ status: 'unmatched' }).select('id');
    expect((await agent.post(`/admin/registers/rows/${row.id}/assign`).type('form').send({ contract: '100123' })).status).toBe(403);
    expect((await agent.post(`/admin/registers/rows/${row.id}/return`).type('form').send({ note: 'x' })).status).toBe(403);
    expect(await count('bank_register_rows', { status: 'unmatched' })).toBe(1);
  });

  it('answers 404 for a register that does not exist and 400 for an id that is not a number', async () => {
    const { agent } = await staffAgent(t, 'cashier');
    expect((await agent.get('/admin/registers/999')).status).toBe(404);
    expect((await agent.get('/admin/registers/abc')).status).toBe(400);
  });
});
