// «Профиль»: contact details (after the current password again), notification subscriptions, notices, sessions.
import crypto from 'node:crypto';
import { audit } from '../audit/service';
import { createSignInGuard } from '../auth/guard';
import type { PasswordHasher } from '../auth/passwords';
import type { AppContext } from '../context';
import { formatPhone, maskPhone } from '../lib/phone';
import { notify } from '../notifications/notify';
import { unsubscribeToken } from '../notifications/subscriptions';
import { enqueue, type Outbox } from '../outbox/service';
import { checkNewPassword, type PasswordProblem } from '../recovery/passwordRules';
import { inTransaction, type Trx } from '../db';
import { t } from '../web/i18n';
import * as q from './queries';
import { describeUserAgent } from './userAgent';

export const REAUTH_MINUTES = 10; // how long the current password, entered again, opens the contacts page
const CODE_MINUTES = 10; // a code for a new phone
const LINK_HOURS = 24; // a link for a new e-mail
const MAX_WRONG = 5; // wrong codes for a new phone before it must be asked again
const CODES_PER_DAY = 5; // codes and links per contract per day
const MAX_PHONES = 5;

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export type ChangePasswordResult =
  | { kind: 'ok' } | { kind: 'throttled' }
  | { kind: 'bad'; wrongCurrent: boolean; problem: PasswordProblem };
export type DeviceSession = { id: string; current: boolean; browser: string; ip: string; lastSeenAt: number | null };

/** The id a session is shown and ended by: a hash, never the session id itself. */
export const sessionKey = (sid: string) => sha256(`session:${sid}`).slice(0, 24);

export function createProfileService(ctx: AppContext, outbox: Outbox, passwords: PasswordHasher) {
  const guard = createSignInGuard(ctx); // the same counters as sign-in (src/auth/guard.ts)
  const codeHash = (changeId: number | string, code: string) => crypto.createHmac('sha256', ctx.config.passwordPepper).update(`contact:${changeId}:${code}`).digest('hex');
  const nowIso = () => ctx.clock.now().toISOString();
  const tr = t; // the catalogue's t(), named apart from the transactions called t below

  async function contacts(contractId: number) {
    const c = await q.contractContact(ctx.db, contractId);
    const phones = await q.listPhones(ctx.db, contractId);
    const pending = await q.listPendingChanges(ctx.db, contractId, nowIso());
    return { email: c.email, number: c.number, phones, pending };
  }

  async function sentToday(contractId: number): Promise<number> {
    const dayAgo = new Date(ctx.clock.now().getTime() - 86_400_000).toISOString();
    return q.countChangesSince(ctx.db, contractId, dayAgo);
  }

  /** Everyone who should hear that the contacts changed: the phones and e-mail as they were before. */
  /** Tells the contract's contacts as they are in `trx` now: call it before the change, in the change's transaction. */
  async function tellOldContacts(contractId: number, what: string, trx?: Trx) {
    const tell = (t: Trx) =>
      notify(ctx, t, { contractId, topic: 'account', title: tr('notice.contactsChanged.title'), text: tr('notice.contactsChanged.text', { what }), key: `contacts:${contractId}:${nowIso()}:${what}` });
    await (trx ? tell(trx) : inTransaction(ctx.db, tell));
  }

  /** Every e-mail carries one-click unsubscribe (RFC 8058); from a service e-mail it turns off every optional e-mail. */
  const unsubscribeHeaders = (contractId: number) => {
    const url = `${ctx.config.publicUrl}/unsubscribe?token=${unsubscribeToken(ctx.config.sessionSecret, contractId, 'all')}`;
    return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  };

  return {
    contacts,

    async reauth(contractId: number, password: string, ip: string): Promise<'ok' | 'wrong' | 'throttled'> {
      const row = await q.contractPassword(ctx.db, contractId);
      const verdict = await guard.begin(row.number, ip);
      if (verdict.kind === 'wait') return 'throttled';
      const ok = await passwords.verify(password, row.password_hash);
      await verdict.done(ok);
      return ok ? 'ok' : 'wrong';
    },

    /**
     * «Сменить пароль» (ASVS 6.2.2): the current password, counted like sign-in and the contacts' re-check (the same guard), and
     * the new one by the recovery rules. On success every other session of the contract ends (the caller gives this
     * one a new id), «Пароль изменён» goes to the phones, the e-mail and the cabinet, and the change is audited.
     */
    async changePassword(contractId: number, current: string, password: string, repeat: string, keepSid: string, ip: string): Promise<ChangePasswordResult> {
      const row = await q.contractPassword(ctx.db, contractId);
      const verdict = await guard.begin(row.number, ip); // the sign-in counters (src/auth/guard.ts)
      if (verdict.kind === 'wait') return { kind: 'throttled' };
      const wrongCurrent = !(await passwords.verify(current, row.password_hash));
      await verdict.done(!wrongCurrent);
      const problem = checkNewPassword(password, repeat, { contractNumber: row.number, providerName: ctx.config.provider.name });
      if (wrongCurrent || problem) {
        if (wrongCurrent) await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'password_change_wrong', ip });
        return { kind: 'bad', wrongCurrent, problem };
      }
      const hash = await passwords.hash(password);
      const at = ctx.clock.now();
      const ended = await inTransaction(ctx.db, async (trx) => {
        await q.setPasswordHash(trx, contractId, hash, at.toISOString());
        const n = await q.deleteOtherSessions(trx, contractId, keepSid);
        await notify(ctx, trx, {
          contractId, topic: 'account', title: tr('notice.passwordChanged.title'),
          text: tr('notice.passwordChanged.text', { date: new Intl.DateTimeFormat('ru-RU', { timeZone: ctx.config.timeZone, dateStyle: 'short', timeStyle: 'short' }).format(at) }),
          key: `password-changed:${contractId}:${at.toISOString()}`,
        });
        return n;
      });
      await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'password_changed', ip, detail: { sessionsEnded: ended } });
      return { kind: 'ok' };
    },

    /** A code to the new phone; the phone joins the contract only when the code comes back. */
    async startPhone(contractId: number, phone: string, ip: string): Promise<{ kind: 'sent'; changeId: number } | { kind: 'exists' } | { kind: 'limit' } | { kind: 'tooMany' }> {
      const c = await contacts(contractId);
      if (c.phones.some((p) => p.phone === phone)) return { kind: 'exists' };
      if (c.phones.length >= MAX_PHONES) return { kind: 'tooMany' };
      if ((await sentToday(contractId)) >= CODES_PER_DAY) return { kind: 'limit' };
      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      const at = ctx.clock.now();
      const expiresAt = new Date(at.getTime() + CODE_MINUTES * 60_000);
      const { changeId, outboxId } = await inTransaction(ctx.db, async (trx) => {
        const placeholder = sha256(crypto.randomBytes(16).toString('hex'));
        const id = await q.insertContactChange(trx, {
          contract_id: contractId, kind: 'phone', value: phone, secret_hash: placeholder, created_at: at.toISOString(),
          expires_at: expiresAt.toISOString(),
        });
        await q.setChangeSecret(trx, id, codeHash(id, code));
        const outboxId = await enqueue(ctx, trx, {
          channel: 'sms', recipient: phone, topic: 'contacts', contractId, oneTimeCode: true, expiresAt, // never sent after the code dies
          text: tr('sms.phoneCode', { code, provider: ctx.config.provider.name }),
        });
        return { changeId: id, outboxId };
      });
      await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'phone_code_sent', ip, detail: { phone: maskPhone(phone) } });
      if (outboxId) await outbox.sendNow(outboxId);
      return { kind: 'sent', changeId };
    },

    async confirmPhone(contractId: number, changeId: number, code: string, ip: string): Promise<'ok' | 'wrong' | 'gone'> {
      const row = await q.findOpenPhoneChange(ctx.db, contractId, changeId);
      if (!row || row.expires_at <= nowIso()) return 'gone';
      const given = Buffer.from(codeHash(row.id, code));
      if (!crypto.timingSafeEqual(given, Buffer.from(row.secret_hash))) {
        const tries = row.wrong_tries + 1;
        await q.recordWrongCode(ctx.db, row.id, tries, tries >= MAX_WRONG ? nowIso() : null);
        return tries >= MAX_WRONG ? 'gone' : 'wrong';
      }
      // A double submit confirms (and tells the old contacts) once: the first update wins.
      const done = await inTransaction(ctx.db, async (trx) => {
        if (!(await q.confirmChange(trx, row.id, nowIso()))) return false;
        await tellOldContacts(contractId, tr('notice.contacts.phoneAdded', { phone: formatPhone(row.value) }), trx);
        await q.addPhone(trx, contractId, row.value, nowIso());
        return true;
      });
      if (!done) return 'gone';
      await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'phone_added', ip, detail: { phone: maskPhone(row.value) } });
      return 'ok';
    },

    async removePhone(contractId: number, phoneId: number, ip: string): Promise<'ok' | 'last' | 'gone'> {
      const c = await contacts(contractId);
      const p = c.phones.find((x) => x.id === phoneId);
      if (!p) return 'gone';
      if (c.phones.length <= 1) return 'last';
      await tellOldContacts(contractId, tr('notice.contacts.phoneRemoved', { phone: formatPhone(p.phone) }));
      const n = await inTransaction(ctx.db, async (trx) => {
        if ((await q.countPhones(trx, contractId)) <= 1) return 0;
        return q.deletePhone(trx, contractId, p.id);
      });
      if (!n) return 'last';
      await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'phone_removed', ip, detail: { phone: maskPhone(p.phone) } });
      return 'ok';
    },

    /** A link to the new address; the address replaces the old one only when the link is opened and confirmed. */
    async startEmail(contractId: number, email: string, ip: string): Promise<'sent' | 'same' | 'limit'> {
      const c = await contacts(contractId);
      if (c.email && c.email.toLowerCase() === email.toLowerCase()) return 'same';
      if ((await sentToday(contractId)) >= CODES_PER_DAY) return 'limit';
      const token = crypto.randomBytes(32).toString('base64url');
      const at = ctx.clock.now();
      const link = `${ctx.config.publicUrl}/email/confirm?token=${token}`;
      const linkExpires = new Date(at.getTime() + LINK_HOURS * 3_600_000);
      const outboxId = await inTransaction(ctx.db, async (trx) => {
        await q.insertContactChange(trx, {
          contract_id: contractId, kind: 'email', value: email, secret_hash: sha256(token), created_at: at.toISOString(),
          expires_at: linkExpires.toISOString(),
        });
        return enqueue(ctx, trx, {
          channel: 'email', recipient: email, subject: tr('email.confirm.subject'), topic: 'contacts', contractId, headers: unsubscribeHeaders(contractId),
          oneTimeCode: true, expiresAt: linkExpires, // the link is masked in the outbox once sent, and never sent after it dies
          text: tr('email.confirm.text', { number: c.number, link, hours: LINK_HOURS }),
        });
      });
      await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'email_link_sent', ip, detail: { email } });
      if (outboxId) await outbox.sendNow(outboxId);
      return 'sent';
    },

    async emailLink(token: unknown): Promise<{ id: number; contractId: number; email: string } | null> {
      if (typeof token !== 'string' || !/^[\w-]{43}$/.test(token)) return null;
      const row = await q.findOpenEmailChange(ctx.db, sha256(token));
      if (!row || row.expires_at <= nowIso()) return null;
      return { id: row.id, contractId: row.contract_id, email: row.value };
    },

    async confirmEmail(token: unknown, ip: string): Promise<boolean> {
      const link = await this.emailLink(token);
      if (!link) return false;
      const old = await q.contractContact(ctx.db, link.contractId);
      const n = await inTransaction(ctx.db, async (trx) => {
        const done = await q.confirmChange(trx, link.id, nowIso());
        if (!done) return 0; // a second click: already confirmed, nobody is told twice
        // the old address (and the phones) hear of it: told in the same transaction, before the address changes
        await tellOldContacts(link.contractId, old.email ? tr('notice.contacts.emailChanged', { from: old.email, to: link.email }) : tr('notice.contacts.emailSet', { to: link.email }), trx);
        await q.setContractEmail(trx, link.contractId, link.email, nowIso());
        return done;
      });
      if (n) await audit(ctx, { actor: 'subscriber', actorId: link.contractId, contractId: link.contractId, action: 'email_changed', ip, detail: { from: old.email, to: link.email } });
      return n === 1;
    },

    /** The newest notices; opening the page changes nothing (a cross-site link must not hide «Пароль изменён»). */
    notices: (contractId: number) => q.latestNotices(ctx.db, contractId, 100),

    /** «Отметить прочитанным» (one, by id) or «Отметить все прочитанными» (no id): a POST, the contract's own only. */
    markRead: (contractId: number, id?: number) => q.markNoticesRead(ctx.db, contractId, nowIso(), id),

    unreadCount: (contractId: number) => q.unreadNoticeCount(ctx.db, contractId),

    async sessions(contractId: number, currentSid: string): Promise<DeviceSession[]> {
      const rows = await q.liveSessions(ctx.db, contractId, new Date().toISOString()); // the store's own clock: it expires sessions by wall time
      return rows
        .map((r) => {
          const s = (typeof r.sess === 'string' ? JSON.parse(r.sess) : r.sess) as { ip?: string; userAgent?: string; lastSeenAt?: number; passport?: { user?: { contractId?: number } } };
          return { s, sid: r.sid };
        })
        .filter(({ s }) => s.passport?.user?.contractId === contractId)
        .map(({ s, sid }) => ({ id: sessionKey(sid), current: sid === currentSid, browser: describeUserAgent(s.userAgent), ip: s.ip ?? '', lastSeenAt: s.lastSeenAt ?? null }))
        .sort((a, b) => Number(b.current) - Number(a.current) || (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0));
    },

    async endSession(contractId: number, currentSid: string, id: string, ip: string): Promise<boolean> {
      const sids = await q.sessionIds(ctx.db, contractId);
      const sid = sids.find((s) => sessionKey(s) === id && s !== currentSid);
      if (!sid) return false;
      await q.deleteSession(ctx.db, contractId, sid);
      await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'session_ended', ip });
      return true;
    },

    async endOtherSessions(contractId: number, currentSid: string, ip: string): Promise<number> {
      const n = await q.deleteOtherSessions(ctx.db, contractId, currentSid);
      await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'sessions_ended', ip, detail: { count: n } });
      return n;
    },
  };
}
export type ProfileService = ReturnType<typeof createProfileService>;
