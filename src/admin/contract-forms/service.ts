// «Новый договор», «Изменить данные», «Сменить тариф» (through the tariff-change service), «Сбросить пароль».
// Each change is one transaction with its one audit row; the contract's row is locked first. A password is never
// logged or audited: it goes back to the caller (for its one print page) or into an SMS of the outbox.
import crypto from 'node:crypto';
import { auditStaff, type StaffActor } from '../../audit/service';
import type { PasswordHasher } from '../../auth/passwords';
import { contractMoney } from '../../billing/service';
import type { AppContext } from '../../context';
import { inTransaction, type Trx } from '../../db';
import { addDays, dayOf, formatDay } from '../../lib/dates';
import { formatPhone, maskPhone } from '../../lib/phone';
import { enqueue, type Outbox } from '../../outbox/service';
import type { TariffChangeService } from '../../tariff-change/service';
import { NotFound } from '../../web/errors';
import { t, type MessageKey } from '../../web/i18n';
import type { ContactsInput, NewContractInput, PersonInput, Problem } from './forms';
import * as q from './queries';

export const FIRST_NUMBER = 100001;
export const START_MAX_DAYS = 60;
const NUMBER_TRIES = 5;

/** 10 characters without look-alikes (no 0/O, 1/l/I): read off paper and typed on a phone without mistakes. */
const FRIENDLY = 'abcdefghjkmnpqrstuvwxyz23456789';
export const printablePassword = () => Array.from({ length: 10 }, () => FRIENDLY[crypto.randomInt(FRIENDLY.length)]).join('');
/** 12 digits: the outbox masks every 6 digits of a one-time SMS once it has gone (src/outbox/service.ts maskCode). */
export const smsPassword = () => Array.from({ length: 12 }, () => String(crypto.randomInt(10))).join('');

const isUniqueViolation = (err: unknown) => ['SQLITE_CONSTRAINT_UNIQUE', '23505'].includes(String((err as { code?: unknown } | null)?.code ?? ''));
const fail = (field: string, key: MessageKey, params: Record<string, string> = {}) => ({ ok: false as const, errors: { [field]: key }, params });

export type Deps = { passwords: PasswordHasher; outbox: Outbox; tariffChange: TariffChangeService };

export function createContractFormsService(ctx: AppContext, deps: Deps) {
  const tz = ctx.config.timeZone;
  const today = () => dayOf(ctx.clock.now(), tz);

  /** The contract's row, locked for the rest of the transaction (billing's reader: the first read of the contract). */
  async function lockContract(trx: Trx, id: number) {
    if (!(await contractMoney(trx, id, { lock: true }))) throw new NotFound();
    return (await q.findContract(trx, id))!;
  }

  /** Whether the tariff may be sold in the town now (not archived, listed for the town). */
  async function tariffProblem(trx: Trx, tariffId: number, townId: number): Promise<MessageKey | null> {
    const tariff = await q.findTariff(trx, tariffId);
    if (!tariff) return 'adm.cf.tariff.required';
    if (tariff.archived) return 'adm.cf.tariff.archived';
    if (!(await q.isSoldIn(trx, tariffId, townId))) return 'adm.cf.tariff.otherTown';
    return null;
  }

  return {
    /** The choices of the new-contract form: towns, and the tariffs on sale grouped by town. */
    async formChoices() {
      const towns = await q.listTowns(ctx.db);
      const sellable = await q.listSellable(ctx.db);
      const groups = towns.map((w) => ({ town: w, tariffs: sellable.filter((s) => s.town_id === w.id) })).filter((g) => g.tariffs.length);
      return { towns, tariffGroups: groups, today: today(), lastStart: addDays(today(), START_MAX_DAYS) };
    },

    /** A new contract with the next free number and a first password; the password is returned once, for printing. */
    async create(actor: StaffActor, input: NewContractInput): Promise<{ ok: true; id: number; number: string; password: string } | ({ ok: false } & Problem)> {
      const day = today();
      if (input.start < day) return fail('start', 'adm.cf.start.past', { date: formatDay(day) });
      if (input.start > addDays(day, START_MAX_DAYS)) return fail('start', 'adm.cf.start.far', { date: formatDay(addDays(day, START_MAX_DAYS)) });
      const password = printablePassword();
      const hash = await deps.passwords.hash(password);
      for (let attempt = 1; ; attempt++) {
        try {
          return await inTransaction(ctx.db, async (trx) => {
            if (!(await q.townExists(trx, input.town))) return fail('town', 'adm.cf.town.required');
            const problem = await tariffProblem(trx, input.tariff, input.town);
            if (problem) return fail('tariff', problem);
            // Two cashiers at once: SQLite lets one writer in at a time; on PostgreSQL the second insert of the same
            // number waits for the first's commit, fails on the unique key, and the whole transaction runs again.
            const number = String(Math.max(FIRST_NUMBER, (await q.maxNumericNumber(trx)) + 1));
            const at = ctx.clock.now().toISOString();
            const row = { number, name: input.name, town_id: input.town, address: input.address, email: input.email, tariff_id: input.tariff, start_day: input.start };
            const id = await q.insertContract(trx, { ...row, password_hash: hash, created_at: at });
            await q.setPhones(trx, id, input.phones, at);
            await auditStaff(ctx, actor, { action: 'contract_created', contractId: id, after: { ...row, phones: input.phones } }, trx);
            return { ok: true as const, id, number, password };
          });
        } catch (err) {
          if (!isUniqueViolation(err) || attempt >= NUMBER_TRIES) throw err;
        }
      }
    },

    /** The contract as the edit form shows it. */
    async contract(id: number) {
      const c = await q.findContract(ctx.db, id);
      if (!c) throw new NotFound();
      return { ...c, phones: await q.phonesOf(ctx.db, id) };
    },

    /**
     * Saves what changed; `person` only for contractsEdit (support changes contacts alone). The audit row holds the
     * changed fields only, before and after; nothing changed writes nothing.
     */
    async update(actor: StaffActor, id: number, input: ContactsInput & Partial<PersonInput>): Promise<{ ok: true; changed: boolean } | ({ ok: false } & Problem)> {
      return inTransaction(ctx.db, async (trx) => {
        const c = await lockContract(trx, id);
        const phones = await q.phonesOf(trx, id);
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        const fields: Record<string, unknown> = {};
        const compare = (key: 'name' | 'address' | 'town_id' | 'email', value: unknown) => {
          if (value === undefined || value === c[key]) return;
          before[key] = c[key];
          after[key] = value;
          fields[key] = value;
        };
        compare('name', input.name);
        compare('address', input.address);
        compare('email', input.email);
        if (input.town !== undefined && input.town !== c.town_id) {
          if (!(await q.townExists(trx, input.town))) return fail('town', 'adm.cf.town.required');
          if (!(await q.isSoldIn(trx, c.tariff_id, input.town))) return fail('town', 'adm.cf.town.tariff');
          compare('town_id', input.town);
        }
        const samePhones = phones.length === input.phones.length && phones.every((p) => input.phones.includes(p));
        if (!samePhones) {
          before.phones = phones;
          after.phones = input.phones;
        }
        if (!Object.keys(after).length) return { ok: true as const, changed: false };
        const at = ctx.clock.now().toISOString();
        if (Object.keys(fields).length) await q.updateContract(trx, id, fields, at);
        if (!samePhones) await q.setPhones(trx, id, input.phones, at);
        await auditStaff(ctx, actor, { action: 'contract_updated', contractId: id, before, after }, trx);
        return { ok: true as const, changed: true };
      });
    },

    /** The bound phones an SMS may go to, formatted for the form (the index is what the form sends back). */
    async phones(id: number) {
      return (await q.phonesOf(ctx.db, id)).map((p) => ({ e164: p, text: formatPhone(p) }));
    },

    /**
     * A new password at once: the old one stops working, every session of the subscriber ends. `print`: the password
     * comes back for its one print page; `sms`: a 12-digit one goes to the chosen bound phone through the outbox (a
     * one-time message: never sent late, masked once sent) and does not come back.
     */
    async resetPassword(actor: StaffActor, id: number, via: { kind: 'print' } | { kind: 'sms'; phoneIndex: number }):
      Promise<{ ok: true; password: string | null; sentTo: string | null } | ({ ok: false } & Problem)> {
      const password = via.kind === 'print' ? printablePassword() : smsPassword();
      const hash = await deps.passwords.hash(password);
      const r = await inTransaction(ctx.db, async (trx) => {
        const c = await lockContract(trx, id);
        let phone: string | null = null;
        if (via.kind === 'sms') {
          phone = (await q.phonesOf(trx, id))[via.phoneIndex] ?? null;
          if (!phone) return fail('phone', 'adm.cf.pw.phone.required');
        }
        const at = ctx.clock.now().toISOString();
        await q.setPasswordHash(trx, id, hash, at);
        const sessionsEnded = await q.endSessions(trx, id);
        let outboxId: number | null = null;
        if (phone) {
          outboxId = await enqueue(ctx, trx, {
            channel: 'sms', recipient: phone, topic: 'password_reset', contractId: id, oneTimeCode: true,
            text: t('adm.cf.pw.sms.text', { number: c.number, password, url: ctx.config.publicUrl, provider: ctx.config.provider.name }),
          });
        }
        await auditStaff(ctx, actor, {
          action: 'password_reset_by_staff', contractId: id,
          detail: { via: via.kind, sessionsEnded, ...(phone ? { phone: maskPhone(phone) } : {}) },
        }, trx);
        return { ok: true as const, outboxId, phone };
      });
      if (!r.ok) return r;
      if (r.outboxId) await deps.outbox.sendNow(r.outboxId); // a failure stays queued: the worker tries again
      return { ok: true, password: via.kind === 'print' ? password : null, sentTo: r.phone ? maskPhone(r.phone) : null };
    },

    /** What the print page shows besides the password. */
    async credentials(id: number) {
      const c = await q.findContract(ctx.db, id);
      if (!c) throw new NotFound();
      return { contract: c, portalUrl: ctx.config.publicUrl };
    },

    /** «Сменить тариф»: the tariff-change service's own page data, rules and confirm, with the staff member as actor. */
    tariffPage: (id: number) => deps.tariffChange.page(id),
    tariffCheck: (id: number, choice: { tariffId: number; when: 'today' | 'next_month' }) => deps.tariffChange.check(id, choice),
    tariffConfirm: (actor: StaffActor, id: number, choice: { tariffId: number; when: 'today' | 'next_month' }, key: string) =>
      deps.tariffChange.confirm(id, choice, key, actor.ip, actor),
    tariffChangeShown: (id: number, changeId: number) => deps.tariffChange.show(id, changeId),
  };
}

export type ContractFormsService = ReturnType<typeof createContractFormsService>;
