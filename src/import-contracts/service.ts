// `kabinet import-contracts`: every row of an old billing's CSV checked (each error with its line), then all of them
// written in one transaction or none: the contract, its phones, its opening balance through billing (one 'correction'
// entry keyed by the contract number, so a second run can never post it twice) and a generated first password, which
// the caller writes to a file for printing and never prints. One audit row for the whole import.
import { z } from 'zod';
import { audit } from '../audit/service';
import { createPasswordHasher } from '../auth/passwords';
import { postEntry } from '../billing/service';
import type { AppContext } from '../context';
import { inTransaction } from '../db';
import { dayOf, isDay, startOfDay, type Day } from '../lib/dates';
import { parseMoney } from '../lib/money';
import { normalizePhone } from '../lib/phone';
import { generatePassword } from '../staff/service';
import { t, type MessageKey } from '../web/i18n';
import { parseFile, type CsvRow, type Encoding } from './csv';
import * as q from './queries';

export type Checked = {
  line: number; number: string; name: string; townId: number; address: string; phones: string[]; email: string | null;
  tariffId: number; balance: number; start: Day;
};
export type CheckResult = { encoding: Encoding; rows: Checked[]; errors: string[] };

const lower = (s: string) => s.trim().toLowerCase().replace(/ё/g, 'е');
const emailOk = (s: string) => z.email().max(254).safeParse(s).success;

/** «-1 234,50», «1234.5», «−50»: signed kopecks, or null. */
export function parseBalance(text: string): number | null {
  const s = text.replace(/[\s\u00a0]/g, '');
  if (!s) return 0;
  const negative = /^[-−–]/.test(s);
  const k = parseMoney(negative ? s.slice(1) : s);
  return k === null ? null : negative ? -k : k;
}

/** dd.mm.yyyy or yyyy-mm-dd, a real day, or null. */
export function parseStart(text: string): Day | null {
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text.trim());
  const day = ru ? `${ru[3]}-${ru[2].padStart(2, '0')}-${ru[1].padStart(2, '0')}` : text.trim();
  return isDay(day) ? day : null;
}

/** Every row against the rules and the database: the rows ready to write, or every error by line. */
export async function checkFile(ctx: AppContext, bytes: Buffer): Promise<CheckResult> {
  const file = parseFile(bytes);
  const errors: string[] = [];
  if (file.missing.length) errors.push(t('adm.import.missingColumns', { columns: file.missing.join(', ') }));
  if (file.rows.length === 0) errors.push(t('adm.import.empty'));
  if (errors.length) return { encoding: file.encoding, rows: [], errors };
  const today = dayOf(ctx.clock.now(), ctx.config.timeZone);
  const towns = new Map((await q.towns(ctx.db)).map((x) => [lower(x.name), x.id]));
  const tariffs = new Map<string, number>();
  for (const x of await q.tariffs(ctx.db)) {
    tariffs.set(lower(x.code), x.id);
    tariffs.set(lower(x.name), x.id);
  }
  const inDb = await q.existingNumbers(ctx.db, file.rows.map((r) => (r.values.number ?? '').trim()).filter(Boolean));
  const seen = new Map<string, number>();
  const rows: Checked[] = [];
  for (const r of file.rows) {
    const before = errors.length;
    const checked = checkRow(r, { today, towns, tariffs, inDb, seen }, (key, params = {}) => errors.push(t('adm.import.line', { line: r.line, error: t(key, params) })));
    if (errors.length === before && checked) rows.push(checked);
  }
  return { encoding: file.encoding, rows, errors };
}

type Lookups = { today: Day; towns: Map<string, number>; tariffs: Map<string, number>; inDb: Set<string>; seen: Map<string, number> };

function checkRow(r: CsvRow, l: Lookups, fail: (key: MessageKey, params?: Record<string, string | number>) => void): Checked | null {
  const v = (c: keyof CsvRow['values']) => (r.values[c] ?? '').trim();
  const number = v('number');
  if (!/^\d{1,12}$/.test(number)) fail('adm.import.number.bad', { value: number });
  else if (l.seen.has(number)) fail('adm.import.number.twice', { number, line: l.seen.get(number)! });
  else if (l.inDb.has(number)) fail('adm.import.number.exists', { number });
  if (number && !l.seen.has(number)) l.seen.set(number, r.line);
  const name = v('name');
  if (!name || name.length > 200) fail('adm.import.name.bad');
  const address = v('address');
  if (!address || address.length > 300) fail('adm.import.address.bad');
  const townId = l.towns.get(lower(v('town')));
  if (!townId) fail('adm.import.town.unknown', { value: v('town') });
  const tariffId = l.tariffs.get(lower(v('tariff')));
  if (!tariffId) fail('adm.import.tariff.unknown', { value: v('tariff') });
  const phones: string[] = [];
  for (const p of v('phones').split(/[,;]/).map((s) => s.trim()).filter(Boolean)) {
    const e164 = normalizePhone(p);
    if (!e164) fail('adm.import.phone.bad', { value: p });
    else if (!phones.includes(e164)) phones.push(e164);
  }
  const email = v('email');
  if (email && !emailOk(email)) fail('adm.import.email.bad', { value: email });
  const balance = parseBalance(v('balance'));
  if (balance === null) fail('adm.import.balance.bad', { value: v('balance') });
  const start = v('start') ? parseStart(v('start')) : l.today;
  if (!start) fail('adm.import.start.bad', { value: v('start') });
  else if (start > l.today) fail('adm.import.start.future', { value: v('start') });
  if (!townId || !tariffId || balance === null || !start) return null;
  return { line: r.line, number, name, townId, address, phones, email: email || null, tariffId, balance, start };
}

export type Imported = { number: string; name: string; password: string };

/** Writes every checked row in one transaction (any failure: nothing), with one audit row. Returns the first passwords. */
export async function importRows(ctx: AppContext, rows: Checked[], fileName: string): Promise<Imported[]> {
  const hasher = createPasswordHasher(ctx.config.passwordPepper, ctx.config.bcryptCost);
  const withPasswords = await Promise.all(rows.map(async (r) => {
    const password = generatePassword(10);
    return { r, password, hash: await hasher.hash(password) };
  }));
  const at = ctx.clock.now().toISOString();
  return inTransaction(ctx.db, async (trx) => {
    const out: Imported[] = [];
    for (const { r, password, hash } of withPasswords) {
      const createdAt = startOfDay(r.start, ctx.config.timeZone).toISOString();
      const id = await q.insertContract(trx, {
        number: r.number, name: r.name, town_id: r.townId, address: r.address, email: r.email, password_hash: hash, tariff_id: r.tariffId,
        created_at: createdAt, updated_at: at,
      });
      for (const phone of r.phones) await q.insertPhone(trx, id, phone, at);
      if (r.balance !== 0) {
        await postEntry(trx, {
          contract_id: id, kind: 'correction', amount_kopecks: r.balance, description: t('adm.import.openingBalance'),
          idempotency_key: `import:opening:${r.number}`, occurred_at: at,
        }, { cause: 'import' });
      }
      out.push({ number: r.number, name: r.name, password });
    }
    await audit(ctx, { actor: 'system', action: 'contracts_imported', detail: { count: rows.length, file: fileName } }, trx);
    return out;
  });
}
