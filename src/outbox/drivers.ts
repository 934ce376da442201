// The ways a message leaves the outbox. Each driver either returns the provider's id or throws a SendError that
// says whether trying again may help (a gateway down, no money on the account) or not (a number the gateway refuses).
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config';

export type OutMessage = { id: number; channel: 'sms' | 'email'; recipient: string; subject: string | null; body: string; headers: Record<string, string> };
/** `signal` is aborted when the outbox gives up on this send (its overall timeout): a driver that can, stops then. */
export type Driver = { name: string; send(m: OutMessage, signal?: AbortSignal): Promise<string> };

export class SendError extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
    this.name = 'SendError';
  }
}

async function appendLine(file: string, record: object): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await appendFile(file, JSON.stringify(record) + '\n', 'utf8');
}

/** One JSON line per message: for development, testers and the browser suite, which read codes from it. */
export function fileDriver(file: string, now: () => Date): Driver {
  return {
    name: 'file',
    async send(m) {
      await appendLine(file, { id: m.id, at: now().toISOString(), channel: m.channel, to: m.recipient, subject: m.subject ?? undefined, headers: m.channel === 'email' ? m.headers : undefined, text: m.body });
      return `file:${m.id}`;
    },
  };
}

async function getJson(url: string, timeoutMs: number, abort?: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    const timeout = AbortSignal.timeout(timeoutMs);
    res = await fetch(url, { signal: abort ? AbortSignal.any([timeout, abort]) : timeout });
  } catch (err) {
    const e = err as Error;
    throw new SendError(e.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : `cannot reach the gateway: ${e.message}`, false);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new SendError(`gateway answered HTTP ${res.status}`, false);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SendError(`gateway answered something that is not JSON: ${text.slice(0, 80)}`, false);
  }
}

/** +79131234567 -> 79131234567, as both gateways want it. */
const digits = (e164: string) => e164.replace(/^\+/, '');

// SMS.ru status codes that mean "this message will never go": a bad number, no text, too long, a number it may not
// send to, a number in the stop list, bad encoding, too many numbers. Others (no money, a limit, the service down,
// bad credentials) may pass later, once the gateway or the account is fixed.
const SMSRU_PERMANENT = new Set([202, 203, 205, 207, 209, 212, 213]);

export function smsRuDriver(cfg: Config['outbox']['sms'], timeoutMs: number): Driver {
  return {
    name: 'smsru',
    async send(m, signal) {
      const q = new URLSearchParams({ api_id: cfg.smsruApiId, to: digits(m.recipient), msg: m.body, json: '1' });
      if (cfg.sender) q.set('from', cfg.sender);
      const answer = (await getJson(`${cfg.smsruUrl}/sms/send?${q}`, timeoutMs, signal)) as {
        status?: string; status_code?: number; status_text?: string; sms?: Record<string, { status?: string; status_code?: number; status_text?: string; sms_id?: string }>;
      };
      if (answer.status !== 'OK') {
        const code = Number(answer.status_code);
        throw new SendError(`SMS.ru ${code}: ${answer.status_text ?? 'error'}`, SMSRU_PERMANENT.has(code));
      }
      const one = answer.sms?.[digits(m.recipient)];
      if (!one) throw new SendError('SMS.ru answered without this number', false);
      if (one.status !== 'OK') {
        const code = Number(one.status_code);
        throw new SendError(`SMS.ru ${code}: ${one.status_text ?? 'error'}`, SMSRU_PERMANENT.has(code));
      }
      return String(one.sms_id ?? '');
    },
  };
}

// SMSC.ru error codes that will not pass later: bad parameters, a message it forbids, a bad number, a number it cannot
// deliver to. Others (bad login, no money, an address blocked for a while, too many requests) may.
const SMSC_PERMANENT = new Set([1, 6, 7, 8]);

export function smscDriver(cfg: Config['outbox']['sms'], timeoutMs: number): Driver {
  return {
    name: 'smsc',
    async send(m, signal) {
      const q = new URLSearchParams({ login: cfg.smscLogin, psw: cfg.smscPassword, phones: digits(m.recipient), mes: m.body, fmt: '3', charset: 'utf-8' });
      if (cfg.sender) q.set('sender', cfg.sender);
      const answer = (await getJson(`${cfg.smscUrl}/sys/send.php?${q}`, timeoutMs, signal)) as { id?: number; cnt?: number; error?: string; error_code?: number };
      if (answer.error_code !== undefined || answer.error !== undefined) {
        const code = Number(answer.error_code);
        throw new SendError(`SMSC ${code}: ${answer.error ?? 'error'}`, SMSC_PERMANENT.has(code));
      }
      if (answer.id === undefined) throw new SendError('SMSC answered without an id', false);
      return String(answer.id);
    },
  };
}

/** E-mail over SMTP: a 5xx answer is final, a 4xx or a broken connection is tried again. */
export function smtpDriver(cfg: Config['outbox']['email'], timeoutMs: number): Driver {
  const transport = nodemailer.createTransport(cfg.smtpUrl, {
    connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs,
  } as never);
  return {
    name: 'smtp',
    async send(m) {
      try {
        const info = await transport.sendMail({ from: cfg.from, to: m.recipient, subject: m.subject ?? '', text: m.body, headers: m.headers });
        return String(info.messageId ?? '');
      } catch (err) {
        const e = err as Error & { responseCode?: number };
        throw new SendError(`SMTP: ${e.message}`, typeof e.responseCode === 'number' && e.responseCode >= 500);
      }
    },
  };
}

export function driversFor(config: Config, now: () => Date): { sms: Driver; email: Driver } {
  const { sms, email } = config.outbox;
  return {
    sms: sms.driver === 'smsru' ? smsRuDriver(sms, config.outbox.timeoutMs) : sms.driver === 'smsc' ? smscDriver(sms, config.outbox.timeoutMs) : fileDriver(sms.file, now),
    email: email.driver === 'smtp' ? smtpDriver(email, config.outbox.timeoutMs) : fileDriver(email.file, now),
  };
}
