// «Не помните пароль?»: contract number -> masked phones -> a 6-digit code by SMS -> a new password.
// An attempt is a row; the page carries its random token (hidden field), the row keeps only its hash.
// Rules (OWASP ASVS 5.0 V6): the code comes from crypto.randomInt, is kept as an HMAC bound to the attempt and the
// phone, lasts RECOVERY_CODE_MINUTES, is good once; RECOVERY_MAX_WRONG_CODES wrong tries end the attempt; a new code
// at most once per RECOVERY_CODE_INTERVAL_SECONDS and RECOVERY_CODES_PER_DAY a day per contract; per client address,
// RECOVERY_FINDS_PER_ADDRESS_PER_HOUR searches and RECOVERY_CODES_PER_ADDRESS_PER_DAY codes (rate_limits, on either engine).
import crypto from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { databaseRateLimiter } from '../web/rateLimits';
import { audit } from '../audit/service';
import type { PasswordHasher } from '../auth/passwords';
import type { AppContext } from '../context';
import { networkOf } from '../web/clientNetwork';
import { maskPhone } from '../lib/phone';
import { notify } from '../notifications/notify';
import { enqueue } from '../outbox/service';
import type { Outbox } from '../outbox/service';
import { t } from '../web/i18n';
import { checkNewPassword, type PasswordProblem } from './passwordRules';
import { inTransaction } from '../db';
import * as q from './queries';
import type { AttemptRow } from './queries';

const ATTEMPT_MINUTES = 30; // the whole recovery must be done within this time from «Найти»


export type FindResult = { kind: 'phones'; token: string; phones: string[] } | { kind: 'none' } | { kind: 'throttled'; retryAfterSeconds: number };
export type SendResult =
  | { kind: 'sent'; token: string; phone: string; phoneIndex: number }
  | { kind: 'gone' } | { kind: 'badPhone'; token: string; phones: string[] }
  | { kind: 'wait'; seconds: number; token: string; phone: string; phoneIndex: number }
  | { kind: 'daily' } | { kind: 'throttled'; retryAfterSeconds: number };
export type VerifyResult =
  | { kind: 'ok'; token: string } | { kind: 'gone' } | { kind: 'ended' } | { kind: 'used' } | { kind: 'expired' } | { kind: 'noCode' }
  | { kind: 'wrong'; left: number };
export type ResetResult = { kind: 'ok'; contractId: number } | { kind: 'gone' } | { kind: 'bad'; problem: Exclude<PasswordProblem, null> };

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function createRecoveryService(ctx: AppContext, outbox: Outbox, passwords: PasswordHasher) {
  const cfg = ctx.config.recovery;
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    databaseRateLimiter(ctx.db, { keyPrefix, points, duration });
  const findsByAddress = limiter('recovery_find_address', cfg.findsPerAddressPerHour, 3600);
  const codesByAddress = limiter('recovery_code_address', cfg.codesPerAddressPerDay, 86_400);
  const codeHash = (attemptId: number, phone: string, code: string) =>
    crypto.createHmac('sha256', ctx.config.passwordPepper).update(`recovery:${attemptId}:${phone}:${code}`).digest('hex');
  const now = () => ctx.clock.now();

  async function consume(l: RateLimiterAbstract, key: string): Promise<number> {
    try {
      await l.consume(key);
      return 0;
    } catch (r) {
      if (r instanceof RateLimiterRes) return Math.max(1, Math.ceil(r.msBeforeNext / 1000));
      throw r;
    }
  }

  async function attemptOf(token: unknown, states: AttemptRow['state'][]): Promise<AttemptRow | null> {
    if (typeof token !== 'string' || !/^[\w-]{43}$/.test(token)) return null;
    const row = await q.findAttempt(ctx.db, sha256(token));
    if (!row || !row.contract_id || !states.includes(row.state) || row.expires_at <= now().toISOString()) return null;
    return row;
  }
  const phonesOf = (contractId: number) => q.phonesOf(ctx.db, contractId);

  return {
    /** «Найти». An unknown contract and one without phones get the same answer after the same work. */
    async find(contract: string, ip: string): Promise<FindResult> {
      const wait = await consume(findsByAddress, networkOf(ip));
      if (wait) {
        await audit(ctx, { actor: 'visitor', action: 'recovery_throttled', ip, detail: { contract } });
        return { kind: 'throttled', retryAfterSeconds: wait };
      }
      const id = await q.contractIdByNumber(ctx.db, contract);
      const phones = await phonesOf(id ?? 0);
      const token = crypto.randomBytes(32).toString('base64url');
      const at = now();
      await q.insertAttempt(ctx.db, {
        token_hash: sha256(token), contract_id: id && phones.length ? id : null, ip, state: 'open', wrong_tries: 0,
        created_at: at.toISOString(), expires_at: new Date(at.getTime() + ATTEMPT_MINUTES * 60_000).toISOString(),
      });
      await audit(ctx, { actor: 'visitor', contractId: id ?? null, action: 'recovery_find', ip, detail: { contract, phones: phones.length } });
      if (!id || !phones.length) return { kind: 'none' };
      return { kind: 'phones', token, phones: phones.map(maskPhone) };
    },

    async phones(token: unknown): Promise<{ token: string; phones: string[] } | null> {
      const a = await attemptOf(token, ['open']);
      return a ? { token: token as string, phones: (await phonesOf(a.contract_id!)).map(maskPhone) } : null;
    },

    /** A code to the phone the subscriber picked (its place in the list they saw). */
    async sendCode(token: unknown, phoneIndex: number | null, ip: string): Promise<SendResult> {
      const a = await attemptOf(token, ['open']);
      if (!a) return { kind: 'gone' };
      const contractId = a.contract_id!;
      const phones = await phonesOf(contractId);
      const phone = phoneIndex !== null ? phones[phoneIndex] : undefined;
      if (phone === undefined) return { kind: 'badPhone', token: token as string, phones: phones.map(maskPhone) };
      const at = now();
      const last = await q.lastCodeAt(ctx.db, contractId);
      const since = last ? (at.getTime() - new Date(last).getTime()) / 1000 : Infinity;
      if (since < cfg.codeIntervalSeconds) {
        return { kind: 'wait', seconds: Math.ceil(cfg.codeIntervalSeconds - since), token: token as string, phone: maskPhone(phone), phoneIndex: phoneIndex! };
      }
      const dayAgo = new Date(at.getTime() - 86_400_000).toISOString();
      const today = await q.countCodesSince(ctx.db, contractId, dayAgo);
      if (today >= cfg.codesPerDay) {
        await audit(ctx, { actor: 'visitor', contractId, action: 'recovery_daily_limit', ip });
        return { kind: 'daily' };
      }
      const wait = await consume(codesByAddress, networkOf(ip));
      if (wait) return { kind: 'throttled', retryAfterSeconds: wait };

      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      const outboxId = await inTransaction(ctx.db, async (trx) => {
        await q.insertCode(trx, {
          attempt_id: a.id, contract_id: contractId, phone, code_hash: codeHash(a.id, phone, code),
          created_at: at.toISOString(), expires_at: new Date(at.getTime() + cfg.codeMinutes * 60_000).toISOString(),
        });
        return enqueue(ctx, trx, {
          channel: 'sms', recipient: phone, topic: 'recovery', contractId, oneTimeCode: true,
          text: t('sms.recoveryCode', { code, minutes: cfg.codeMinutes, provider: ctx.config.provider.name }),
        });
      });
      await audit(ctx, { actor: 'visitor', contractId, action: 'recovery_code_sent', ip, detail: { phone: maskPhone(phone) } });
      if (outboxId) await outbox.sendNow(outboxId); // a failure stays queued: the worker tries again
      return { kind: 'sent', token: token as string, phone: maskPhone(phone), phoneIndex: phoneIndex! };
    },

    /** «Проверить». The newest code of the attempt only; a wrong one counts, the last allowed wrong one ends the attempt. */
    async verify(token: unknown, code: string, ip: string): Promise<VerifyResult> {
      const a = await attemptOf(token, ['open', 'verified']);
      if (!a) {
        const ended = typeof token === 'string' && /^[\w-]{43}$/.test(token) && (await q.isAttemptEnded(ctx.db, sha256(token)));
        return ended ? { kind: 'ended' } : { kind: 'gone' };
      }
      if (a.state === 'verified') return { kind: 'used' };
      const c = await q.newestCode(ctx.db, a.id);
      if (!c) return { kind: 'noCode' };
      if (c.used_at) return { kind: 'used' };
      const at = now().toISOString();
      if (c.expires_at <= at) return { kind: 'expired' };
      const given = Buffer.from(codeHash(a.id, c.phone, code));
      if (!crypto.timingSafeEqual(given, Buffer.from(c.code_hash))) {
        const tries = a.wrong_tries + 1;
        const ended = tries >= cfg.maxWrongCodes;
        await q.recordWrongCode(ctx.db, a.id, tries, ended);
        await audit(ctx, { actor: 'visitor', contractId: a.contract_id, action: ended ? 'recovery_ended' : 'recovery_wrong_code', ip, detail: { tries } });
        return ended ? { kind: 'ended' } : { kind: 'wrong', left: cfg.maxWrongCodes - tries };
      }
      if ((await q.useCode(ctx.db, c.id, at)) !== 1) return { kind: 'used' };
      await q.markVerified(ctx.db, a.id, at);
      await audit(ctx, { actor: 'visitor', contractId: a.contract_id, action: 'recovery_code_ok', ip });
      return { kind: 'ok', token: token as string };
    },

    /** The masked phone the attempt's newest code went to, for the code page shown again. */
    async codePhone(token: unknown): Promise<{ phone: string; phoneIndex: number } | null> {
      const a = await attemptOf(token, ['open']);
      if (!a) return null;
      const c = await q.newestCode(ctx.db, a.id);
      if (!c) return null;
      const phones = await phonesOf(a.contract_id!);
      return { phone: maskPhone(c.phone), phoneIndex: Math.max(0, phones.indexOf(c.phone)) };
    },

    async canReset(token: unknown): Promise<boolean> {
      const a = await attemptOf(token, ['verified']);
      return Boolean(a && new Date(a.verified_at!).getTime() + cfg.codeMinutes * 60_000 > now().getTime());
    },

    /** The new password: saved, every session of the contract ended, 'пароль изменён' to its phones and e-mail. */
    async reset(token: unknown, password: string, repeat: string, ip: string): Promise<ResetResult> {
      const a = await attemptOf(token, ['verified']);
      if (!a || new Date(a.verified_at!).getTime() + cfg.codeMinutes * 60_000 <= now().getTime()) return { kind: 'gone' };
      const contractId = a.contract_id!;
      const number = await q.contractNumberOf(ctx.db, contractId);
      const problem = checkNewPassword(password, repeat, { contractNumber: number, providerName: ctx.config.provider.name });
      if (problem) return { kind: 'bad', problem };
      const hash = await passwords.hash(password);
      const done = await inTransaction(ctx.db, async (trx) => {
        if ((await q.markDone(trx, a.id)) !== 1) return false;
        await q.setPasswordHash(trx, contractId, hash, now().toISOString());
        await q.deleteSessionsOf(trx, contractId);
        await notify(ctx, trx, {
          contractId, topic: 'account', title: t('notice.passwordChanged.title'),
          text: t('notice.passwordChanged.text', { date: new Intl.DateTimeFormat('ru-RU', { timeZone: ctx.config.timeZone, dateStyle: 'short', timeStyle: 'short' }).format(now()) }),
          key: `password-changed:${a.id}`,
        });
        return true;
      });
      if (!done) return { kind: 'gone' };
      await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'password_reset', ip });
      return { kind: 'ok', contractId };
    },
  };
}
export type RecoveryService = ReturnType<typeof createRecoveryService>;
