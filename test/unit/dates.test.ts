import { addDays, dayOf, formatDateTime, formatDay, isDay, startOfDay } from '../../src/lib/dates';

const TZ = 'Asia/Novokuznetsk';

describe('provider days', () => {
  it('puts 20:00 UTC into the next day in Novokuznetsk (UTC+7)', () => {
    expect(dayOf(new Date('2026-11-24T20:00:00Z'), TZ)).toBe('2026-11-25');
    expect(dayOf(new Date('2026-11-24T16:59:59Z'), TZ)).toBe('2026-11-24');
  });

  it('finds the instant a provider day begins', () => {
    expect(startOfDay('2026-11-25', TZ).toISOString()).toBe('2026-11-24T17:00:00.000Z');
  });

  it('knows real calendar days only', () => {
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('26-1-1')).toBe(false);
  });

  it('adds days across months and formats them as 24.11.2026', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(formatDay('2026-11-24')).toBe('24.11.2026');
    expect(formatDateTime('2026-11-24T05:05:00Z', TZ)).toBe('24.11.2026 12:05');
  });
});
