// The only reader of process.env. Every setting is parsed and checked once here; README.md and
// .env.example document each of them. A bad value stops the process with one line naming the variable.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isPostgresUrl } from './engine';
import { isPhoneCountry } from './lib/phone';
import { ROOT } from './paths';
import { parseMoment } from './test-clock/parse';

/** Settings whose value a message never repeats (a URL carries its password). */
const SECRET_SETTINGS = new Set(['DATABASE_URL', 'SESSION_SECRET', 'PASSWORD_PEPPER', 'YOOKASSA_SECRET_KEY', 'SMTP_URL', 'SMS_API_KEY']);

const DEV_SECRET = 'dev-only-secret-not-for-production-000000';

const int = (min: number, max: number, def: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message).default(def);
};
const bool = (def: boolean) =>
  z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }).default(def ? 'true' : 'false').transform((v) => ['true', '1', 'yes'].includes(v));

const validTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
    PORT: int(0, 65535, 3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    ALLOW_PUBLIC_HOST: bool(false),
    DATABASE_FILE: z.string().min(1).default('data/kabinet.sqlite'),
    // PostgreSQL instead of the SQLite file: postgres://user:password@host:5432/database (src/db.ts)
    DATABASE_URL: z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:password@127.0.0.1:5432/kabinet')
      .refine((v) => { try { const u = new URL(v); return u.hostname !== '' && u.pathname.length > 1; } catch { return false; } }, 'is not a valid URL: postgres://user:password@host:5432/database')
      .optional(),
    DATABASE_POOL_MAX: int(2, 200, 10), // at least 2: the scheduler's turn (an advisory lock) holds one while its work uses others
    // node:cluster web workers on the same port and database (src/server.ts); 1: one process, no cluster
    WEB_CONCURRENCY: int(1, 64, 1),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PASSWORD_PEPPER: z.string().min(32, 'must be at least 32 characters').optional(),
    BCRYPT_COST: int(4, 15, 12),
    TRUST_PROXY: z.string().default('false'),
    PROVIDER_TIMEZONE: z.string().default('Asia/Novokuznetsk').refine(validTimeZone, 'is not a known IANA time zone'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    SESSION_IDLE_MINUTES: int(1, 24 * 60, 30),
    SESSION_REMEMBER_DAYS: int(1, 365, 30),
    SESSION_ABSOLUTE_HOURS: int(1, 7 * 24, 12),
    LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK: int(1, 1000, 5),
    LOGIN_MAX_FAILS_PER_CONTRACT: int(1, 1000, 10),
    LOGIN_MAX_FAILS_PER_ADDRESS: int(1, 10000, 50),
    LOGIN_BLOCK_MINUTES: int(1, 24 * 60, 15),
    PUBLIC_FORMS_PER_HOUR: int(1, 1000, 5),
    DEMO_SEED: bool(true),
    SHUTDOWN_TIMEOUT_MS: int(100, 120000, 10000),
    HEADERS_TIMEOUT_MS: int(1000, 120000, 10000),
    REQUEST_TIMEOUT_MS: int(1000, 600000, 30000),
    BILLING_SCHEDULER: bool(true),
    PROMISED_PAYMENT_TERM_DAYS: int(1, 30, 3),
    PROMISED_PAYMENT_INTERVAL_DAYS: int(1, 365, 30),
    PROMISED_PAYMENT_MAX_PERCENT_OF_FEE: int(1, 100, 100),
    VOLUNTARY_BLOCK_MIN_DAYS: int(1, 365, 7),
    VOLUNTARY_BLOCK_MAX_DAYS: int(1, 365, 90),
    VOLUNTARY_BLOCK_DAYS_PER_YEAR: int(1, 366, 90),
    VOLUNTARY_BLOCK_DAILY_FEE_KOPECKS: int(0, 100_000, 0),
    PROVIDER_NAME: z.string().min(1).max(100).default('Сеть Центр'),
    // Countries whose mobile numbers a subscriber may add to the contract (ISO 3166 codes, comma-separated).
    PHONE_ALLOWED_COUNTRIES: z.string().default('RU').transform((v) => [...new Set(v.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean))])
      .refine((list) => list.length > 0 && list.every(isPhoneCountry), 'must be a comma-separated list of ISO country codes, e.g. RU,KZ,BY'),
    PROVIDER_EMAIL: z.email().default('info@example.ru'),
    PRIVACY_POLICY_FILE: z.string().min(1).refine((f) => fs.existsSync(path.resolve(f)) && fs.statSync(path.resolve(f)).isFile(), 'must name an existing file (the text of /privacy)').optional(),
    PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) address, e.g. https://lk.example.ru' }).optional(),
    // online payments (issue 4)
    PAYMENT_GATEWAY: z.enum(['sandbox', 'yookassa'], { error: 'must be sandbox or yookassa' }).optional(),
    PAYMENT_SANDBOX_IN_PRODUCTION: bool(false),
    YOOKASSA_SHOP_ID: z.string().regex(/^\d{1,20}$/, 'must be the shop id, digits only').optional(),
    YOOKASSA_SECRET_KEY: z.string().min(8, 'must be the secret key from the YooKassa dashboard').optional(),
    YOOKASSA_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) address' }).default('https://api.yookassa.ru/v3'),
    PAYMENT_NOTIFY_FROM: z.string().optional(),
    GATEWAY_TIMEOUT_MS: int(500, 60000, 10000),
    PAYMENT_MIN_RUBLES: int(1, 1_000_000, 10),
    PAYMENT_MAX_RUBLES: int(1, 1_000_000, 15000),
    PAYMENT_RECONCILE_AFTER_MINUTES: int(1, 24 * 60, 15),
    RECEIPT_VAT_CODE: int(1, 12, 1),
    RECEIPT_TAX_SYSTEM_CODE: int(1, 6, 1),
    AUTOPAY_MAX_RETRIES: int(0, 3, 3),
    AUTOPAY_RETRY_MINUTES: int(1, 24 * 60, 60),
    // issue 5: the outbox, its drivers, password recovery, reminders
    SMS_DRIVER: z.enum(['file', 'smsru', 'smsc'], { error: 'must be file, smsru or smsc' }).optional(),
    SMS_FILE: z.string().min(1).default('data/sms-outbox.jsonl'),
    SMS_SENDER: z.string().max(11).optional(),
    SMSRU_API_ID: z.string().min(1).optional(),
    SMSRU_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) address' }).default('https://sms.ru'),
    SMSC_LOGIN: z.string().min(1).optional(),
    SMSC_PASSWORD: z.string().min(1).optional(),
    SMSC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) address' }).default('https://smsc.ru'),
    EMAIL_DRIVER: z.enum(['file', 'smtp'], { error: 'must be file or smtp' }).optional(),
    EMAIL_FILE: z.string().min(1).default('data/email-outbox.jsonl'),
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be smtp://user:password@host:port or smtps://...' }).optional(),
    EMAIL_FROM: z.email().optional(),
    OUTBOX_MAX_ATTEMPTS: int(1, 100, 10),
    OUTBOX_TIMEOUT_MS: int(100, 120000, 10000),
    SMS_QUIET_FROM_HOUR: int(0, 23, 22),
    SMS_QUIET_TO_HOUR: int(0, 23, 8),
    RECOVERY_CODE_MINUTES: int(1, 60, 10),
    RECOVERY_MAX_WRONG_CODES: int(1, 20, 5),
    RECOVERY_CODE_INTERVAL_SECONDS: int(10, 3600, 60),
    RECOVERY_CODES_PER_DAY: int(1, 50, 5),
    RECOVERY_FINDS_PER_ADDRESS_PER_HOUR: int(1, 10000, 20),
    RECOVERY_CODES_PER_ADDRESS_PER_DAY: int(1, 10000, 20),
    LOW_BALANCE_DAYS: int(1, 60, 3),
    // Personal data kept no longer than needed (152-FZ): the daily retention job (src/retention).
    OUTBOX_RETENTION_DAYS: int(1, 3650, 90),
    CODE_RETENTION_DAYS: int(1, 3650, 30),
    RATE_LIMIT_RETENTION_DAYS: int(0, 365, 1),
    BACKUP_BEFORE_MIGRATE: bool(true),
    // issue 14: the testers' clock starts at this moment (development and test only; src/test-clock)
    KABINET_NOW: z.string().max(40).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.HEADERS_TIMEOUT_MS > c.REQUEST_TIMEOUT_MS) ctx.addIssue({ code: 'custom', path: ['HEADERS_TIMEOUT_MS'], message: 'must not be above REQUEST_TIMEOUT_MS' });
    // A development instance runs the sandbox gateway and the demo passwords: only on loopback unless told otherwise.
    if (c.NODE_ENV === 'development' && !isLoopbackHost(c.HOST) && !c.ALLOW_PUBLIC_HOST) {
      ctx.addIssue({ code: 'custom', path: ['HOST'], message: 'is not a loopback address: a development instance (sandbox payments, demo passwords) listens on one unless ALLOW_PUBLIC_HOST=true' });
    }
    if (c.KABINET_NOW !== undefined) {
      if (c.NODE_ENV === 'production') ctx.addIssue({ code: 'custom', path: ['KABINET_NOW'], message: 'moves the clock, for development and test only: unset it in production' });
      else if (!parseMoment(c.KABINET_NOW, c.PROVIDER_TIMEZONE)) {
        ctx.addIssue({ code: 'custom', path: ['KABINET_NOW'], message: 'must be a moment like 2026-12-31T23:55 (the provider\'s time zone) or 2026-12-31T23:55+07:00' });
      }
    }
    if (c.NODE_ENV !== 'production') return;
    for (const key of ['SESSION_SECRET', 'PASSWORD_PEPPER'] as const) {
      if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production (at least 32 characters)' });
      else if (c[key] === DEV_SECRET) ctx.addIssue({ code: 'custom', path: [key], message: 'is the development value: set your own (e.g. openssl rand -base64 48)' });
    }
    if (c.SESSION_SECRET && c.SESSION_SECRET === c.PASSWORD_PEPPER) {
      ctx.addIssue({ code: 'custom', path: ['PASSWORD_PEPPER'], message: 'must differ from SESSION_SECRET' });
    }
    if (c.BCRYPT_COST < 10) ctx.addIssue({ code: 'custom', path: ['BCRYPT_COST'], message: 'must be at least 10 in production' });
    // true trusts whatever X-Forwarded-For a client writes: every per-network limit and the payment-sender check would
    // believe it. Name the proxy (loopback, its addresses) or the number of proxies in front.
    if (c.TRUST_PROXY === 'true') ctx.addIssue({ code: 'custom', path: ['TRUST_PROXY'], message: 'must not be true in production: give the proxy\'s addresses (e.g. loopback) or the number of proxies in front' });
    if (c.PUBLIC_URL?.startsWith('http://')) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must be an https:// address in production' });
    if (c.YOOKASSA_API_URL.startsWith('http://')) ctx.addIssue({ code: 'custom', path: ['YOOKASSA_API_URL'], message: 'must be an https:// address in production' });
    if (!c.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required in production (the address subscribers open, e.g. https://lk.example.ru)' });
    // The file drivers would quietly keep recovery codes on the server's disk: production names its gateways.
    if (!c.SMS_DRIVER) ctx.addIssue({ code: 'custom', path: ['SMS_DRIVER'], message: 'is required in production: smsru or smsc (file only if you mean it)' });
    if (!c.EMAIL_DRIVER) ctx.addIssue({ code: 'custom', path: ['EMAIL_DRIVER'], message: 'is required in production: smtp (file only if you mean it)' });
    // The session cookie is Secure in production: Express must know the request came over TLS from the proxy in front.
    if (c.TRUST_PROXY === 'false') ctx.addIssue({ code: 'custom', path: ['TRUST_PROXY'], message: 'is required in production: the TLS proxy in front (e.g. loopback, its addresses, or a hop count); without it the Secure session cookie is never set' });
  })
  .superRefine((c, ctx) => {
    const gateway = c.PAYMENT_GATEWAY ?? (c.NODE_ENV === 'production' ? 'yookassa' : 'sandbox');
    if (gateway === 'sandbox' && c.NODE_ENV === 'production' && !c.PAYMENT_SANDBOX_IN_PRODUCTION) {
      ctx.addIssue({ code: 'custom', path: ['PAYMENT_GATEWAY'], message: 'sandbox takes no money: in production set PAYMENT_SANDBOX_IN_PRODUCTION=true if you really mean it' });
    }
    if (gateway === 'yookassa') {
      for (const key of ['YOOKASSA_SHOP_ID', 'YOOKASSA_SECRET_KEY'] as const) {
        if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required with PAYMENT_GATEWAY=yookassa (from the YooKassa dashboard)' });
      }
    }
    if (c.PAYMENT_MIN_RUBLES > c.PAYMENT_MAX_RUBLES) ctx.addIssue({ code: 'custom', path: ['PAYMENT_MIN_RUBLES'], message: 'must not be above PAYMENT_MAX_RUBLES' });
    if (c.PAYMENT_NOTIFY_FROM && parseRanges(c.PAYMENT_NOTIFY_FROM) === null) {
      ctx.addIssue({ code: 'custom', path: ['PAYMENT_NOTIFY_FROM'], message: 'must be a comma-separated list of addresses or CIDR ranges' });
    }
    if (c.SMS_DRIVER === 'smsru' && !c.SMSRU_API_ID) ctx.addIssue({ code: 'custom', path: ['SMSRU_API_ID'], message: 'is required when SMS_DRIVER is smsru' });
    if (c.SMS_DRIVER === 'smsc' && !(c.SMSC_LOGIN && c.SMSC_PASSWORD)) ctx.addIssue({ code: 'custom', path: ['SMSC_LOGIN'], message: 'and SMSC_PASSWORD are required when SMS_DRIVER is smsc' });
    if (c.EMAIL_DRIVER === 'smtp' && !c.SMTP_URL) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when EMAIL_DRIVER is smtp' });
  });

export type Config = {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  databaseFile: string;
  /** PostgreSQL's URL when DATABASE_URL is set (then DATABASE_FILE is not used). */
  databaseUrl?: string;
  /** What openDb opens: the URL, or the SQLite file. */
  database: string;
  databasePoolMax: number;
  /** How many web worker processes npm start runs (node:cluster); the scheduler runs in the first. */
  webConcurrency: number;
  sessionSecret: string;
  passwordPepper: string;
  bcryptCost: number;
  trustProxy: boolean | number | string;
  timeZone: string;
  logLevel: string;
  sessionIdleMs: number;
  sessionRememberMs: number;
  /** Without «Запомнить»: the session ends this long after sign-in however active. */
  sessionAbsoluteMs: number;
  /** Per contract and client network (refuses), per network (refuses), per contract (slows networks that failed): src/auth/guard.ts. */
  login: { maxFailsPerContractNetwork: number; maxFailsPerContract: number; maxFailsPerAddress: number; blockSeconds: number };
  /** node:http's headersTimeout and requestTimeout: a client that trickles its request is cut off. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  publicFormsPerHour: number;
  demoSeed: boolean;
  shutdownTimeoutMs: number;
  provider: { name: string; email: string };
  /** PHONE_ALLOWED_COUNTRIES: the countries whose mobile numbers may be added to a contract. */
  phoneAllowedCountries: string[];
  /** The provider's «Политика обработки персональных данных» (Markdown), shown at /privacy; read again when it changes. */
  privacyPolicyFile: string;
  /** The portal's address as subscribers reach it, without a trailing slash: links in e-mail, the gateway's return URL. */
  publicUrl: string;
  billing: {
    scheduler: boolean;
    promisedPayment: { termDays: number; intervalDays: number; maxPercentOfFee: number };
    voluntaryBlock: { minDays: number; maxDays: number; daysPerYear: number; dailyFeeKopecks: number };
  };
  payments: {
    gateway: 'sandbox' | 'yookassa';
    yookassa: { shopId: string; secretKey: string; apiUrl: string };
    /** Addresses gateway notifications may come from (CIDR list); YooKassa's published ranges, or loopback for the sandbox. */
    notifyFrom: string[];
    timeoutMs: number;
    minKopecks: number;
    maxKopecks: number;
    reconcileAfterMs: number;
    receipt: { vatCode: number; taxSystemCode: number };
    autopay: { maxRetries: number; retryMs: number };
  };
  /** issue 5: how SMS and e-mail leave the outbox. */
  outbox: {
    sms: { driver: 'file' | 'smsru' | 'smsc'; file: string; sender: string | null; smsruApiId: string; smsruUrl: string; smscLogin: string; smscPassword: string; smscUrl: string };
    email: { driver: 'file' | 'smtp'; file: string; smtpUrl: string; from: string };
    maxAttempts: number;
    timeoutMs: number;
    quietFromHour: number;
    quietToHour: number;
  };
  recovery: {
    codeMinutes: number; maxWrongCodes: number; codeIntervalSeconds: number; codesPerDay: number;
    findsPerAddressPerHour: number; codesPerAddressPerDay: number;
  };
  lowBalanceDays: number;
  /** Days after which personal data is purged by the daily retention job; the ledger and the audit log are never. */
  retention: { outboxDays: number; codeDays: number; rateLimitDays: number };
  /** SQLite: copy the database into backups/ beside it before a start applies migrations. */
  backupBeforeMigrate: boolean;
  /** KABINET_NOW (never in production): the moment the testers' clock starts at, as typed and as an instant (src/test-clock). */
  testNow: { text: string; at: Date } | null;
};

/** YooKassa's published notification addresses (yookassa.ru/developers/using-api/webhooks). */
export const YOOKASSA_NOTIFY_FROM = ['185.71.76.0/27', '185.71.77.0/27', '77.75.153.0/25', '77.75.156.11/32', '77.75.156.35/32', '77.75.154.128/25', '2a02:5180::/32'];
const LOOPBACK = ['127.0.0.0/8', '::1/128'];

/** "1.2.3.0/24, 5.6.7.8" -> CIDR strings (a bare address gets /32 or /128), or null when one is not an address. */
export function parseRanges(text: string): string[] | null {
  const out: string[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits, extra] = part.split('/');
    if (extra !== undefined) return null;
    const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(addr) && addr.split('.').every((o) => Number(o) <= 255);
    const v6 = /^[0-9a-f:]+$/i.test(addr) && addr.includes(':');
    if (!v4 && !v6) return null;
    const max = v4 ? 32 : 128;
    if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max)) return null;
    out.push(`${addr}/${bits ?? max}`);
  }
  return out.length ? out : null;
}

export class ConfigError extends Error {}

/** 127.0.0.0/8, ::1 or localhost: where a development instance listens unless ALLOW_PUBLIC_HOST=true. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

function parseTrustProxy(v: string): boolean | number | string {
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v; // 'loopback', an address, or a comma-separated list: passed to Express as is
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const shown = SECRET_SETTINGS.has(name) ? '' : name in input ? ` (got "${String(input[name]).slice(0, 40)}")` : '';
    throw new ConfigError(`config: ${name} ${issue.message}${shown}`);
  }
  const c = parsed.data;
  return {
    env: c.NODE_ENV,
    isProduction: c.NODE_ENV === 'production',
    port: c.PORT,
    host: c.HOST,
    databaseFile: c.DATABASE_FILE,
    databaseUrl: c.DATABASE_URL,
    database: c.DATABASE_URL ?? c.DATABASE_FILE,
    databasePoolMax: c.DATABASE_POOL_MAX,
    webConcurrency: c.WEB_CONCURRENCY,
    sessionSecret: c.SESSION_SECRET ?? DEV_SECRET,
    passwordPepper: c.PASSWORD_PEPPER ?? DEV_SECRET,
    bcryptCost: c.BCRYPT_COST,
    trustProxy: parseTrustProxy(c.TRUST_PROXY),
    timeZone: c.PROVIDER_TIMEZONE,
    logLevel: c.LOG_LEVEL,
    sessionIdleMs: c.SESSION_IDLE_MINUTES * 60_000,
    sessionRememberMs: c.SESSION_REMEMBER_DAYS * 86_400_000,
    sessionAbsoluteMs: c.SESSION_ABSOLUTE_HOURS * 3_600_000,
    headersTimeoutMs: c.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: c.REQUEST_TIMEOUT_MS,
    login: {
      maxFailsPerContractNetwork: c.LOGIN_MAX_FAILS_PER_CONTRACT_NETWORK,
      maxFailsPerContract: c.LOGIN_MAX_FAILS_PER_CONTRACT,
      maxFailsPerAddress: c.LOGIN_MAX_FAILS_PER_ADDRESS,
      blockSeconds: c.LOGIN_BLOCK_MINUTES * 60,
    },
    publicFormsPerHour: c.PUBLIC_FORMS_PER_HOUR,
    demoSeed: c.DEMO_SEED && c.NODE_ENV !== 'production',
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    provider: { name: c.PROVIDER_NAME, email: c.PROVIDER_EMAIL },
    phoneAllowedCountries: c.PHONE_ALLOWED_COUNTRIES,
    privacyPolicyFile: c.PRIVACY_POLICY_FILE ? path.resolve(c.PRIVACY_POLICY_FILE) : path.join(ROOT, 'content', 'privacy.md'),
    publicUrl: (c.PUBLIC_URL ?? `http://${c.HOST}:${c.PORT}`).replace(/\/+$/, ''),
    billing: {
      scheduler: c.BILLING_SCHEDULER,
      promisedPayment: { termDays: c.PROMISED_PAYMENT_TERM_DAYS, intervalDays: c.PROMISED_PAYMENT_INTERVAL_DAYS, maxPercentOfFee: c.PROMISED_PAYMENT_MAX_PERCENT_OF_FEE },
      voluntaryBlock: {
        minDays: c.VOLUNTARY_BLOCK_MIN_DAYS, maxDays: c.VOLUNTARY_BLOCK_MAX_DAYS, daysPerYear: c.VOLUNTARY_BLOCK_DAYS_PER_YEAR, dailyFeeKopecks: c.VOLUNTARY_BLOCK_DAILY_FEE_KOPECKS,
      },
    },
    payments: paymentsConfig(c),
    outbox: {
      sms: {
        driver: c.SMS_DRIVER ?? 'file', file: c.SMS_FILE, sender: c.SMS_SENDER ?? null,
        smsruApiId: c.SMSRU_API_ID ?? '', smsruUrl: c.SMSRU_URL.replace(/\/+$/, ''),
        smscLogin: c.SMSC_LOGIN ?? '', smscPassword: c.SMSC_PASSWORD ?? '', smscUrl: c.SMSC_URL.replace(/\/+$/, ''),
      },
      email: { driver: c.EMAIL_DRIVER ?? 'file', file: c.EMAIL_FILE, smtpUrl: c.SMTP_URL ?? '', from: c.EMAIL_FROM ?? c.PROVIDER_EMAIL },
      maxAttempts: c.OUTBOX_MAX_ATTEMPTS,
      timeoutMs: c.OUTBOX_TIMEOUT_MS,
      quietFromHour: c.SMS_QUIET_FROM_HOUR,
      quietToHour: c.SMS_QUIET_TO_HOUR,
    },
    recovery: {
      codeMinutes: c.RECOVERY_CODE_MINUTES, maxWrongCodes: c.RECOVERY_MAX_WRONG_CODES, codeIntervalSeconds: c.RECOVERY_CODE_INTERVAL_SECONDS,
      codesPerDay: c.RECOVERY_CODES_PER_DAY, findsPerAddressPerHour: c.RECOVERY_FINDS_PER_ADDRESS_PER_HOUR, codesPerAddressPerDay: c.RECOVERY_CODES_PER_ADDRESS_PER_DAY,
    },
    lowBalanceDays: c.LOW_BALANCE_DAYS,
    retention: { outboxDays: c.OUTBOX_RETENTION_DAYS, codeDays: c.CODE_RETENTION_DAYS, rateLimitDays: c.RATE_LIMIT_RETENTION_DAYS },
    backupBeforeMigrate: c.BACKUP_BEFORE_MIGRATE,
    testNow: c.KABINET_NOW !== undefined ? { text: c.KABINET_NOW.trim(), at: parseMoment(c.KABINET_NOW, c.PROVIDER_TIMEZONE)! } : null,
  };
}

function paymentsConfig(c: z.output<typeof schema>): Config['payments'] {
  const gateway = c.PAYMENT_GATEWAY ?? (c.NODE_ENV === 'production' ? 'yookassa' : 'sandbox');
  return {
    gateway,
    yookassa: { shopId: c.YOOKASSA_SHOP_ID ?? '', secretKey: c.YOOKASSA_SECRET_KEY ?? '', apiUrl: c.YOOKASSA_API_URL.replace(/\/+$/, '') },
    notifyFrom: (c.PAYMENT_NOTIFY_FROM && parseRanges(c.PAYMENT_NOTIFY_FROM)) || (gateway === 'yookassa' ? YOOKASSA_NOTIFY_FROM : LOOPBACK),
    timeoutMs: c.GATEWAY_TIMEOUT_MS,
    minKopecks: c.PAYMENT_MIN_RUBLES * 100,
    maxKopecks: c.PAYMENT_MAX_RUBLES * 100,
    reconcileAfterMs: c.PAYMENT_RECONCILE_AFTER_MINUTES * 60_000,
    receipt: { vatCode: c.RECEIPT_VAT_CODE, taxSystemCode: c.RECEIPT_TAX_SYSTEM_CODE },
    autopay: { maxRetries: c.AUTOPAY_MAX_RETRIES, retryMs: c.AUTOPAY_RETRY_MINUTES * 60_000 },
  };
}
