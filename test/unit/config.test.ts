import { ConfigError, loadConfig } from '../../src/config';

describe('config', () => {
  it('runs a newcomer with no settings at all', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.timeZone).toBe('Asia/Novokuznetsk');
    expect(c.demoSeed).toBe(true);
  });

  it('stops production without secrets, naming the variable in one line', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PASSWORD_PEPPER: 'p'.repeat(40) })).toThrow(/^config: SESSION_SECRET is required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) })).toThrow(/PASSWORD_PEPPER/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40) })).toThrow(/^config: PUBLIC_URL is required in production/);
    const prod = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), PUBLIC_URL: 'https://lk.example.ru' };
    expect(() => loadConfig(prod)).toThrow(/^config: SMS_DRIVER is required in production/);
    expect(() => loadConfig({ ...prod, SMS_DRIVER: 'smsc', SMSC_LOGIN: 'l', SMSC_PASSWORD: 'p' })).toThrow(/^config: EMAIL_DRIVER is required in production/);
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/^config: PUBLIC_URL must be an http\(s\) address/);
    expect(loadConfig({ PUBLIC_URL: 'https://lk.example.ru/' }).publicUrl).toBe('https://lk.example.ru');
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('names a wrong value and what was given', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT .*"eighty"/);
    expect(() => loadConfig({ PROVIDER_TIMEZONE: 'Mars/Olympus' })).toThrow(/PROVIDER_TIMEZONE is not a known IANA time zone/);
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET must be at least 32 characters/);
  });

  it('never loads demo data in production', () => {
    const c = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), PUBLIC_URL: 'https://lk.example.ru', TRUST_PROXY: 'loopback', DEMO_SEED: 'true', YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_secret_key', SMS_DRIVER: 'smsru', SMSRU_API_ID: 'id', EMAIL_DRIVER: 'smtp', SMTP_URL: 'smtp://u:p@mail.example.ru:587' });
    expect(c.demoSeed).toBe(false);
  });

  describe('production refuses weak settings, each with one line naming the variable', () => {
    const PROD = {
      NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), PUBLIC_URL: 'https://lk.example.ru', TRUST_PROXY: 'loopback',
      YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_secret_key', SMS_DRIVER: 'smsru', SMSRU_API_ID: 'id', EMAIL_DRIVER: 'smtp', SMTP_URL: 'smtp://u:p@mail.example.ru:587',
    };
    const DEV_SECRET = 'dev-only-secret-not-for-production-000000';
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };

    it('accepts a sound production configuration', () => {
      expect(refusal(PROD)).toBe('accepted');
      expect(refusal({ ...PROD, TRUST_PROXY: '1' })).toBe('accepted');
      expect(refusal({ ...PROD, TRUST_PROXY: '10.0.0.1, 10.0.0.2' })).toBe('accepted');
    });

    it.each([
      ['TRUST_PROXY=true', { TRUST_PROXY: 'true' }, /^config: TRUST_PROXY must not be true in production/],
      ['no TRUST_PROXY', { TRUST_PROXY: 'false' }, /^config: TRUST_PROXY is required in production/],
      ['the development session secret', { SESSION_SECRET: DEV_SECRET }, /^config: SESSION_SECRET is the development value/],
      ['the development pepper', { PASSWORD_PEPPER: DEV_SECRET }, /^config: PASSWORD_PEPPER is the development value/],
      ['SESSION_SECRET equal to PASSWORD_PEPPER', { PASSWORD_PEPPER: 's'.repeat(40) }, /^config: PASSWORD_PEPPER must differ from SESSION_SECRET/],
      ['BCRYPT_COST under 10', { BCRYPT_COST: '9' }, /^config: BCRYPT_COST must be at least 10 in production/],
      ['an http:// PUBLIC_URL', { PUBLIC_URL: 'http://lk.example.ru' }, /^config: PUBLIC_URL must be an https:\/\/ address in production/],
      ['an http:// YOOKASSA_API_URL', { YOOKASSA_API_URL: 'http://api.yookassa.ru/v3' }, /^config: YOOKASSA_API_URL must be an https:\/\/ address in production/],
    ])('refuses %s', (_what, change, message) => {
      const text = refusal({ ...PROD, ...change });
      expect(text).toMatch(message);
      expect(text.split('\n')).toHaveLength(1);
    });

    it('names the session cookie __Host-kabinet.sid in production, kabinet.sid elsewhere', async () => {
      const { sessionCookieName } = await import('../../src/web/session');
      expect(sessionCookieName(loadConfig(PROD))).toBe('__Host-kabinet.sid');
      expect(sessionCookieName(loadConfig({}))).toBe('kabinet.sid');
    });
  });

  it('keeps a development instance on loopback unless ALLOW_PUBLIC_HOST=true', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/^config: HOST is not a loopback address: .*ALLOW_PUBLIC_HOST=true/);
    expect(() => loadConfig({ HOST: '192.168.1.10' })).toThrow(/^config: HOST is not a loopback address/);
    expect(loadConfig({ HOST: '0.0.0.0', ALLOW_PUBLIC_HOST: 'true' }).host).toBe('0.0.0.0');
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it('reads the request timeouts, 10 s for headers and 30 s for the whole request by default', () => {
    expect(loadConfig({})).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(() => loadConfig({ HEADERS_TIMEOUT_MS: '60000', REQUEST_TIMEOUT_MS: '30000' })).toThrow(/^config: HEADERS_TIMEOUT_MS must not be above REQUEST_TIMEOUT_MS/);
  });
});

describe('PHONE_ALLOWED_COUNTRIES', () => {
  it('allows Russian numbers only by default, takes a list of ISO codes and refuses an unknown code', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).phoneAllowedCountries).toEqual(['RU']);
    expect(loadConfig({ NODE_ENV: 'test', PHONE_ALLOWED_COUNTRIES: 'ru,KZ, BY' }).phoneAllowedCountries).toEqual(['RU', 'KZ', 'BY']);
    expect(() => loadConfig({ NODE_ENV: 'test', PHONE_ALLOWED_COUNTRIES: 'RU,XX' })).toThrow(/PHONE_ALLOWED_COUNTRIES/);
  });
});
