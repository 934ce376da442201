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
    const c = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), PUBLIC_URL: 'https://lk.example.ru', DEMO_SEED: 'true', YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_secret_key', SMS_DRIVER: 'smsru', SMSRU_API_ID: 'id', EMAIL_DRIVER: 'smtp', SMTP_URL: 'smtp://u:p@mail.example.ru:587' });
    expect(c.demoSeed).toBe(false);
  });
});

describe('PHONE_ALLOWED_COUNTRIES', () => {
  it('allows Russian numbers only by default, takes a list of ISO codes and refuses an unknown code', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).phoneAllowedCountries).toEqual(['RU']);
    expect(loadConfig({ NODE_ENV: 'test', PHONE_ALLOWED_COUNTRIES: 'ru,KZ, BY' }).phoneAllowedCountries).toEqual(['RU', 'KZ', 'BY']);
    expect(() => loadConfig({ NODE_ENV: 'test', PHONE_ALLOWED_COUNTRIES: 'RU,XX' })).toThrow(/PHONE_ALLOWED_COUNTRIES/);
  });
});
