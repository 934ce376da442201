// Bank registers: read a bank's file into a preview (each payment matched to a contract, a duplicate, or unmatched
// with its reason), «Провести» it in one transaction, then settle the unmatched rows by hand (assign or return).
// Money moves only through billing's postEntry, keyed by the bank's document (bankRow.ts paymentKey).
import crypto from 'node:crypto';
import type { AppContext } from '../../context';
import { auditStaff, type StaffActor } from '../../audit/service';
import { postEntry } from '../../billing/service';
import { inTransaction, type Trx } from '../../db';
import { dayOf, formatDay } from '../../lib/dates';
import { Conflict, NotFound } from '../../web/errors';
import { t } from '../../web/i18n';
import { paymentKey, type BankRow, type ParseProblem } from './bankRow';
import { parseRegister } from './parse';
import * as q from './queries';

export type UnmatchedReason = 'noContractNumber' | 'ambiguousContract' | 'unknownContract' | 'badAmount' | 'amountNotPositive' | 'badDate' | 'futureDate';
export type DuplicateReason = 'inFile' | 'paidBefore';

export type UploadResult = { ok: true; registerId: number } | { ok: false; problem: ParseProblem };
export type AssignResult = { ok: true; created: boolean } | { ok: false; problem: 'unknownContract' | 'badAmount' | 'badDate' | 'futureDate' };

/** Why a row cannot be paid as it stands (its contract aside): amount, then date. */
function moneyProblem(r: { amount_kopecks: number | null; doc_date: string | null }, today: string): 'badAmount' | 'amountNotPositive' | 'badDate' | 'futureDate' | null {
  if (r.amount_kopecks === null) return 'badAmount';
  if (r.amount_kopecks <= 0) return 'amountNotPositive';
  if (!r.doc_date) return 'badDate';
  if (r.doc_date > today) return 'futureDate';
  return null;
}

export function createRegistersService(ctx: AppContext) {
  const today = () => dayOf(ctx.clock.now(), ctx.config.timeZone);
  const description = (r: { doc_number: string; doc_date: string | null; date_text: string }) =>
    t('adm.reg.ledgerDescription', { number: r.doc_number || '—', date: r.doc_date ? formatDay(r.doc_date) : r.date_text || '—' });

  /** Pays one row through billing with the bank's key; false when that document was paid already. */
  async function pay(trx: Trx, row: q.BankRegisterRow, contractId: number, at: string): Promise<{ created: boolean; paymentId: number | null }> {
    const entry = await postEntry(
      trx,
      { contract_id: contractId, kind: 'payment', amount_kopecks: row.amount_kopecks!, description: description(row), idempotency_key: row.payment_key, occurred_at: at },
      { today: today(), cause: 'payment' },
    );
    if (!entry.created) return { created: false, paymentId: null };
    const paymentId = await q.insertBankPayment(trx, { contract_id: contractId, amount_kopecks: row.amount_kopecks!, ledger_entry_id: entry.entryId, idempotency_key: row.payment_key, created_at: at });
    return { created: true, paymentId };
  }

  return {
    list: () => q.listRegisters(ctx.db, 100),
    unmatched: () => q.unmatchedRows(ctx.db, 500),
    countUnmatched: () => q.countUnmatched(ctx.db),

    async show(id: number) {
      const register = await q.registerById(ctx.db, id);
      if (!register) throw new NotFound();
      const [rows, earlier] = await Promise.all([q.rowsOfRegister(ctx.db, id), q.earlierUploadOf(ctx.db, register.sha256, id)]);
      return { register, rows, earlier: earlier ?? null };
    },

    /** Reads the file and stores its preview; a file that cannot be read stores nothing. */
    async upload(actor: StaffActor, file: { name: string; bytes: Buffer }): Promise<UploadResult> {
      const parsed = parseRegister(file.bytes);
      if (!parsed.ok) return parsed;
      const at = ctx.clock.now().toISOString();
      const day = today();
      const sha256 = crypto.createHash('sha256').update(file.bytes).digest('hex');
      return inTransaction(ctx.db, async (trx) => {
        const rows = await classify(trx, parsed.rows, day);
        const counts = countsOf(rows);
        const registerId = await q.insertRegister(trx, {
          file_name: file.name.slice(0, 255) || 'register', format: parsed.format, encoding: parsed.encoding, sha256,
          uploaded_by: actor.staffId, uploaded_at: at, rows_count: rows.length, ...counts,
        });
        await q.insertRows(trx, registerId, rows);
        await auditStaff(ctx, actor, { action: 'register_uploaded', detail: { registerId, file: file.name.slice(0, 255), format: parsed.format, encoding: parsed.encoding, sha256, rows: rows.length, ...counts } }, trx);
        return { ok: true as const, registerId };
      });
    },

    /**
     * «Провести»: in one transaction, every matched row paid through billing (a document paid meanwhile, by an
     * overlapping register, becomes a duplicate), every problem row sent to «Неразнесённые платежи». Once only.
     */
    async apply(actor: StaffActor, id: number): Promise<{ applied: boolean }> {
      const at = ctx.clock.now().toISOString();
      return inTransaction(ctx.db, async (trx) => {
        if (!(await q.registerById(trx, id))) throw new NotFound();
        if (!(await q.claimRegister(trx, id, at, actor.staffId))) return { applied: false };
        const rows = await q.rowsOfRegister(trx, id);
        const taken = await q.keysTakenBefore(trx, rows.map((r) => r.payment_key), id);
        const counts = { paid_count: 0, duplicate_count: 0, unmatched_count: 0, paid_kopecks: 0 };
        for (const row of rows) {
          if (row.status === 'duplicate') {
            counts.duplicate_count++;
          } else if (taken.has(row.payment_key)) {
            await q.updateRow(trx, row.id, { status: 'duplicate', reason: 'paidBefore' });
            counts.duplicate_count++;
          } else if (row.status === 'problem') {
            await q.updateRow(trx, row.id, { status: 'unmatched' });
            counts.unmatched_count++;
          } else if (row.status === 'matched') {
            const r = await pay(trx, row, row.contract_id!, at);
            if (r.created) {
              await q.updateRow(trx, row.id, { status: 'paid', payment_id: r.paymentId });
              counts.paid_count++;
              counts.paid_kopecks += row.amount_kopecks!;
            } else {
              await q.updateRow(trx, row.id, { status: 'duplicate', reason: 'paidBefore' });
              counts.duplicate_count++;
            }
          }
        }
        await q.setRegisterCounts(trx, id, counts);
        await auditStaff(ctx, actor, { action: 'register_applied', detail: { registerId: id, paid: counts.paid_count, duplicates: counts.duplicate_count, unmatched: counts.unmatched_count, totalKopecks: counts.paid_kopecks } }, trx);
        return { applied: true };
      });
    },

    /** «Разнести»: a waiting row paid to the contract typed by staff, with the bank document's key. */
    async assign(actor: StaffActor, rowId: number, contractNumber: string): Promise<AssignResult> {
      const at = ctx.clock.now().toISOString();
      return inTransaction(ctx.db, async (trx): Promise<AssignResult> => {
        const row = await waiting(trx, rowId);
        const contract = await q.contractByNumber(trx, contractNumber);
        if (!contract) return { ok: false, problem: 'unknownContract' };
        const problem = moneyProblem(row, today());
        if (problem) return { ok: false, problem: problem === 'amountNotPositive' ? 'badAmount' : problem };
        const r = await pay(trx, row, contract.id, at);
        const after = r.created ? { status: 'assigned' as const, payment_id: r.paymentId } : { status: 'duplicate' as const, reason: 'paidBefore' };
        await q.updateRow(trx, row.id, { ...after, contract_id: contract.id, contract_number: contract.number, handled_by: actor.staffId, handled_at: at });
        await auditStaff(ctx, actor, {
          action: 'register_row_assigned', contractId: contract.id,
          before: { status: row.status, contractNumber: row.contract_number, reason: row.reason },
          after: { status: after.status, contractNumber: contract.number },
          detail: { rowId: row.id, registerId: row.register_id, docNumber: row.doc_number, docDate: row.doc_date, amountKopecks: row.amount_kopecks, paid: r.created },
        }, trx);
        return { ok: true, created: r.created };
      });
    },

    /** «Вернуть плательщику»: the row leaves the queue with the note; no money moves here (the bank returns it). */
    async returnToPayer(actor: StaffActor, rowId: number, note: string): Promise<void> {
      const at = ctx.clock.now().toISOString();
      await inTransaction(ctx.db, async (trx) => {
        const row = await waiting(trx, rowId);
        await q.updateRow(trx, row.id, { status: 'returned', note, handled_by: actor.staffId, handled_at: at });
        await auditStaff(ctx, actor, {
          action: 'register_row_returned', before: { status: row.status }, after: { status: 'returned', note },
          detail: { rowId: row.id, registerId: row.register_id, docNumber: row.doc_number, docDate: row.doc_date, amountKopecks: row.amount_kopecks, payerAccount: row.payer_account },
        }, trx);
      });
    },
  };

  async function waiting(trx: Trx, rowId: number): Promise<q.BankRegisterRow> {
    const row = await q.lockUnmatchedRow(trx, rowId);
    if (row) return row;
    if (await q.rowById(trx, rowId)) throw new Conflict('adm.reg.rowHandled');
    throw new NotFound();
  }
}

/** Each row of the file: matched to a contract, a duplicate (in this file, or of a document taken before), or a problem. */
async function classify(trx: Trx, rows: BankRow[], today: string): Promise<q.NewBankRegisterRow[]> {
  const keys = rows.map(paymentKey);
  const taken = await q.keysTakenBefore(trx, keys, null);
  const numbers = [...new Set(rows.map((r) => r.contractNumber).filter((n): n is string => Boolean(n)))];
  const contracts = new Map((await q.contractsByNumbers(trx, numbers)).map((c) => [c.number, c]));
  // A bank statement lists the provider's own outgoing payments too: money that went to another account is not ours.
  const ours = await q.providerAccount(trx);
  const outgoing = (r: BankRow) => Boolean(ours && r.recipientAccount && r.recipientAccount !== ours);
  const seen = new Set<string>();
  return rows.map((r, i) => {
    const key = keys[i];
    const contract = r.contractNumber ? contracts.get(r.contractNumber) : undefined;
    const base = {
      line: r.line, doc_number: r.docNumber, doc_date: r.docDate, date_text: r.dateText, amount_kopecks: r.amountKopecks, amount_text: r.amountText,
      payer_account: r.payerAccount, payer_name: r.payerName, purpose: r.purpose, contract_number: r.contractNumber, contract_id: contract?.id ?? null,
      payment_key: key,
    };
    let status: q.RowStatus = 'matched';
    let reason: string | null = null;
    if (seen.has(key)) [status, reason] = ['duplicate', 'inFile'];
    else if (taken.has(key)) [status, reason] = ['duplicate', 'paidBefore'];
    else {
      reason = (outgoing(r) ? 'outgoing' : null)
        ?? moneyProblem({ amount_kopecks: r.amountKopecks, doc_date: r.docDate }, today)
        ?? (r.ambiguous ? 'ambiguousContract' : !r.contractNumber ? 'noContractNumber' : !contract ? 'unknownContract' : null);
      if (reason) status = 'problem';
    }
    seen.add(key);
    return { ...base, status, reason };
  });
}

function countsOf(rows: q.NewBankRegisterRow[]) {
  const matched = rows.filter((r) => r.status === 'matched');
  return {
    paid_count: matched.length,
    duplicate_count: rows.filter((r) => r.status === 'duplicate').length,
    unmatched_count: rows.filter((r) => r.status === 'problem').length,
    paid_kopecks: matched.reduce((s, r) => s + (r.amount_kopecks ?? 0), 0),
  };
}

export type RegistersService = ReturnType<typeof createRegistersService>;
