// The settings of issue 5: defaults, and a gateway chosen without its credentials stops the process with one line.
import { ConfigError, loadConfig } from '../../src/config';

const load = (env: Record<string, string>) => () => loadConfig({ NODE_ENV: 'test', ...env });

describe('outbox and recovery settings', () => {
  it('defaults to the file drivers and the limits of the issue', () => {
    const c = loadConfig({ NODE_ENV: 'test' });
    expect(c.outbox.sms).toMatchObject({ driver: 'file', file: 'data/sms-outbox.jsonl', smsruUrl: 'https://sms.ru', smscUrl: 'https://smsc.ru' });
    expect(c.outbox.email).toMatchObject({ driver: 'file', file: 'data/email-outbox.jsonl', from: 'info@example.ru' });
    expect(c.outbox).toMatchObject({ maxAttempts: 10, timeoutMs: 10000, quietFromHour: 22, quietToHour: 8 });
    expect(c.recovery).toEqual({ codeMinutes: 10, maxWrongCodes: 5, codeIntervalSeconds: 60, codesPerDay: 5, findsPerAddressPerHour: 20, codesPerAddressPerDay: 20 });
    expect(c.lowBalanceDays).toBe(3);
  });

  it('names the missing credentials of the gateway chosen', () => {
    expect(load({ SMS_DRIVER: 'smsru' })).toThrow(new ConfigError('config: SMSRU_API_ID is required when SMS_DRIVER is smsru'));
    expect(load({ SMS_DRIVER: 'smsc', SMSC_LOGIN: 'x' })).toThrow(/SMSC_LOGIN and SMSC_PASSWORD are required/);
    expect(load({ EMAIL_DRIVER: 'smtp' })).toThrow(/SMTP_URL is required/);
    expect(load({ SMS_DRIVER: 'pigeon' })).toThrow(/SMS_DRIVER must be file, smsru or smsc/);
    expect(load({ SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL must be smtp:/);
    expect(load({ RECOVERY_CODE_MINUTES: '0' })).toThrow(/RECOVERY_CODE_MINUTES must be a whole number from 1 to 60/);
    expect(loadConfig({ NODE_ENV: 'test', SMS_DRIVER: 'smsru', SMSRU_API_ID: 'k', SMSRU_URL: 'http://127.0.0.1:9/' }).outbox.sms.smsruUrl).toBe('http://127.0.0.1:9');
  });
});
