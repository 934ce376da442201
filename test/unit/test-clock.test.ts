// The testers' clock (issue 14, src/test-clock): what a tester types (a moment, a step), the clock that runs on from a
// moved point, KABINET_NOW in config (refused in production), and what a process makes of the test_clock row at start.
import pino from 'pino';
import { ManualClock, MovableClock, systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { DbClock, openClock } from '../../src/test-clock/dbClock';
import { afterStep, parseMoment } from '../../src/test-clock/parse';
import { readClockRow } from '../../src/test-clock/queries';
import { failureOf } from '../support/app';
import { openTestDb, type TestDb } from '../support/engine';

const TZ = 'Asia/Novokuznetsk'; // UTC+7, no DST
const logger = pino({ level: 'silent' });
const PRODUCTION = {
  NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PASSWORD_PEPPER: 'p'.repeat(40), PUBLIC_URL: 'https://lk.example.ru', TRUST_PROXY: 'loopback',
  YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_secret_key', SMS_DRIVER: 'smsru', SMSRU_API_ID: 'id', EMAIL_DRIVER: 'smtp', SMTP_URL: 'smtp://u:p@mail.example.ru:587',
};

describe('a moment as a tester types it', () => {
  it.each([
    ['2026-12-31T23:55', '2026-12-31T16:55:00.000Z'],
    ['2026-12-31 23:55', '2026-12-31T16:55:00.000Z'],
    ['2026-12-31T23:55:30', '2026-12-31T16:55:30.000Z'],
    ['2027-01-01T00:05Z', '2027-01-01T00:05:00.000Z'],
    ['2027-01-01T00:05+03:00', '2026-12-31T21:05:00.000Z'],
    ['2027-01-01T00:05-0130', '2027-01-01T01:35:00.000Z'],
  ])('reads "%s" in the provider\'s time zone unless an offset is given', (text, iso) => {
    expect(parseMoment(text, TZ)?.toISOString()).toBe(iso);
  });

  it.each(['2026-02-30T10:00', '2026-12-31T24:00', '2026-12-31T23:60', '31.12.2026 23:55', '2026-12-31', 'tomorrow', '', '2026-12-31T23:55+15:00'])(
    'refuses "%s", which is not a moment that exists', (text) => {
      expect(parseMoment(text, TZ)).toBeNull();
    },
  );

  it('places a wall-clock time by the zone\'s own offset on a DST day', () => {
    expect(parseMoment('2026-03-29T12:00', 'Europe/Berlin')?.toISOString()).toBe('2026-03-29T10:00:00.000Z'); // CEST from 02:00
  });
});

describe('a step forward', () => {
  const from = new Date('2026-12-31T16:55:00.000Z'); // 31.12.2026 23:55 in Novokuznetsk
  it.each([
    ['90m', '2026-12-31T18:25:00.000Z'],
    ['12h', '2027-01-01T04:55:00.000Z'],
    ['3d', '2027-01-03T16:55:00.000Z'],
    ['1d12h', '2027-01-02T04:55:00.000Z'],
    ['10M', '2026-12-31T17:05:00.000Z'],
  ])('%s', (step, iso) => {
    expect(afterStep(from, step, TZ)?.toISOString()).toBe(iso);
  });

  it.each(['0m', '-1d', '3w', '3 d', 'd', '', '1.5h'])('refuses "%s"', (step) => {
    expect(afterStep(from, step, TZ)).toBeNull();
  });

  it('keeps the wall-clock time when days cross a DST change', () => {
    const noon = new Date('2026-03-28T11:00:00.000Z'); // 12:00 CET
    expect(afterStep(noon, '1d', 'Europe/Berlin')?.toISOString()).toBe('2026-03-29T10:00:00.000Z'); // 12:00 CEST
    expect(afterStep(noon, '24h', 'Europe/Berlin')?.toISOString()).toBe('2026-03-29T11:00:00.000Z'); // 13:00 CEST
  });
});

describe('the movable clock', () => {
  it('runs on from the moved point at the real clock\'s pace, and is the real clock without a setting', () => {
    const real = new ManualClock('2026-12-03T06:00:00.000Z');
    const clock = new MovableClock(real);
    expect(clock.moved()).toBe(false);
    expect(clock.now().toISOString()).toBe('2026-12-03T06:00:00.000Z');
    clock.set({ at: new Date('2026-12-31T16:55:00.000Z'), since: real.now() });
    expect(clock.moved()).toBe(true);
    real.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-12-31T16:56:30.000Z');
    clock.set(null);
    expect(clock.moved()).toBe(false);
    expect(clock.now().toISOString()).toBe('2026-12-03T06:01:30.000Z');
  });

  it('counts the real time elapsed since the setting was taken, even before it was read', () => {
    const real = new ManualClock('2026-12-03T06:10:00.000Z');
    const clock = new MovableClock(real, { at: new Date('2027-01-01T00:00:00.000Z'), since: new Date('2026-12-03T06:00:00.000Z') });
    expect(clock.now().toISOString()).toBe('2027-01-01T00:10:00.000Z');
  });
});

describe('KABINET_NOW in config', () => {
  it('is the moment as typed and as an instant, in the provider\'s time zone', () => {
    const c = loadConfig({ NODE_ENV: 'development', KABINET_NOW: '2026-12-31T23:55' });
    expect(c.testNow).toEqual({ text: '2026-12-31T23:55', at: new Date('2026-12-31T16:55:00.000Z') });
    expect(loadConfig({ NODE_ENV: 'development' }).testNow).toBeNull();
  });

  it('refuses a value that is not a moment, naming the variable in one line', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', KABINET_NOW: '31.12.2026' })).toThrow(/^config: KABINET_NOW must be a moment like 2026-12-31T23:55 .*\(got "31\.12\.2026"\)$/);
  });

  it('is refused in production with the reason', () => {
    expect(() => loadConfig(PRODUCTION)).not.toThrow();
    expect(() => loadConfig({ ...PRODUCTION, KABINET_NOW: '2026-12-31T23:55' })).toThrow(/^config: KABINET_NOW moves the clock, for development and test only: unset it in production/);
  });
});

describe('the clock a process opens', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb();
  });
  afterEach(() => t.close());
  const real = () => new ManualClock('2026-12-03T06:00:00.000Z');

  it('is the real clock without KABINET_NOW or a row, and writes nothing', async () => {
    const clock = await openClock(loadConfig({ NODE_ENV: 'test' }), t.db, logger, real());
    expect(clock).toBeInstanceOf(DbClock);
    expect(clock.moved?.()).toBe(false);
    expect(clock.now().toISOString()).toBe('2026-12-03T06:00:00.000Z');
    expect(await readClockRow(t.db)).toBeUndefined();
  });

  it('applies KABINET_NOW once: a restart with the same value keeps the clock where it was moved since', async () => {
    const config = loadConfig({ NODE_ENV: 'test', KABINET_NOW: '2026-12-31T23:55' });
    const r = real();
    const first = await openClock(config, t.db, logger, r);
    expect(first.moved?.()).toBe(true);
    expect(first.now().toISOString()).toBe('2026-12-31T16:55:00.000Z');
    expect(await readClockRow(t.db)).toMatchObject({ at: '2026-12-31T16:55:00.000Z', since: '2026-12-03T06:00:00.000Z', started_from: '2026-12-31T23:55', changed_by: 'KABINET_NOW=2026-12-31T23:55' });
    r.advance(10 * 60_000);
    const again = await openClock(config, t.db, logger, r); // a restart ten minutes later
    expect(again.now().toISOString()).toBe('2026-12-31T17:05:00.000Z');
    const other = await openClock(loadConfig({ NODE_ENV: 'test', KABINET_NOW: '2027-02-01T10:00' }), t.db, logger, r);
    expect(other.now().toISOString()).toBe('2027-02-01T03:00:00.000Z');
  });

  it('refuses a KABINET_NOW before a day already charged: the start stops with the reason', async () => {
    await t.db('charge_days').insert({ day: '2027-01-05', contracts_charged: 0, total_kopecks: 0, finished_at: '2027-01-04T17:05:00.000Z' });
    const failure = await failureOf(openClock(loadConfig({ NODE_ENV: 'test', KABINET_NOW: '2027-01-04T23:00' }), t.db, logger, real()));
    expect(failure).toBe('TestClockRefused: TestClockRefused: KABINET_NOW=2027-01-04T23:00: 04.01.2027 23:00 is before 05.01.2027, a day already charged (days are charged through 05.01.2027); a charged day cannot be uncharged: choose a later moment, or start from a fresh database');
    expect(await readClockRow(t.db)).toBeUndefined();
  });

  it('is the system clock in production, which never reads the row', async () => {
    await openClock(loadConfig({ NODE_ENV: 'test', KABINET_NOW: '2030-01-01T00:00' }), t.db, logger, real());
    expect(await openClock(loadConfig(PRODUCTION), t.db, logger, real())).toBe(systemClock);
  });
});
