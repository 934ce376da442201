import { addDays, atLocalTime, dayOf, formatDateTime, formatDay, hourOf, isDay, sameTimeDaysLater, startOfDay } from '../../src/lib/dates';

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

// Every function of dates.ts that does zone arithmetic, on days whose length is not 24 hours.
describe('provider days in any zone PROVIDER_TIMEZONE accepts', () => {
  const iso = (d: Date) => d.toISOString();

  it('begins Auckland\u2019s 25-hour day of 5 April 2026 (DST ends at 03:00) at midnight NZDT, not an hour late', () => {
    expect(iso(startOfDay('2026-04-05', 'Pacific/Auckland'))).toBe('2026-04-04T11:00:00.000Z'); // 00:00 +13:00
    expect(iso(startOfDay('2026-04-06', 'Pacific/Auckland'))).toBe('2026-04-05T12:00:00.000Z'); // 00:00 +12:00
    expect(dayOf(new Date('2026-04-04T11:00:00.000Z'), 'Pacific/Auckland')).toBe('2026-04-05');
    expect(dayOf(new Date('2026-04-04T10:59:59.999Z'), 'Pacific/Auckland')).toBe('2026-04-04');
    expect(dayOf(new Date('2026-04-05T11:59:59.999Z'), 'Pacific/Auckland')).toBe('2026-04-05'); // the 25th hour
  });

  it('begins Auckland\u2019s 23-hour day of 27 September 2026 (DST starts at 02:00) at midnight NZST', () => {
    expect(iso(startOfDay('2026-09-27', 'Pacific/Auckland'))).toBe('2026-09-26T12:00:00.000Z');
    expect(iso(startOfDay('2026-09-28', 'Pacific/Auckland'))).toBe('2026-09-27T11:00:00.000Z');
  });

  it('places a wall-clock time on a DST day by the clock, not by hours since midnight', () => {
    expect(iso(atLocalTime('2026-04-05', 0, 5, 'Pacific/Auckland'))).toBe('2026-04-04T11:05:00.000Z');
    expect(iso(atLocalTime('2026-04-05', 9, 0, 'Pacific/Auckland'))).toBe('2026-04-04T21:00:00.000Z'); // 09:00 +12:00
    expect(iso(atLocalTime('2026-09-27', 9, 0, 'Pacific/Auckland'))).toBe('2026-09-26T20:00:00.000Z'); // 09:00 +13:00
    expect(iso(atLocalTime('2026-09-27', 2, 30, 'Pacific/Auckland'))).toBe('2026-09-26T14:30:00.000Z'); // skipped: 03:30 +13:00
    expect(hourOf(new Date('2026-04-04T21:00:00.000Z'), 'Pacific/Auckland')).toBe(9);
    expect(formatDateTime('2026-04-04T21:00:00.000Z', 'Pacific/Auckland')).toBe('05.04.2026 09:00');
  });

  it('keeps the wall-clock time across a DST change when it moves an instant by days', () => {
    // 12:00 NZDT on 3 April -> 12:00 NZST on 6 April: 73 hours later, not 72
    expect(iso(sameTimeDaysLater(new Date('2026-04-02T23:00:00.000Z'), 3, 'Pacific/Auckland'))).toBe('2026-04-06T00:00:00.000Z');
    expect(iso(sameTimeDaysLater(new Date('2026-11-24T05:00:00.000Z'), 3, 'Asia/Novokuznetsk'))).toBe('2026-11-27T05:00:00.000Z');
  });

  it('begins a day where midnight itself is skipped (Santiago, 6 September 2026) at its first instant, 01:00', () => {
    expect(iso(startOfDay('2026-09-06', 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
    expect(dayOf(startOfDay('2026-09-06', 'America/Santiago'), 'America/Santiago')).toBe('2026-09-06');
  });

  it('counts Moscow days at +03:00 today, and at the zone\u2019s own offsets on its historic changes', () => {
    expect(iso(startOfDay('2026-03-29', 'Europe/Moscow'))).toBe('2026-03-28T21:00:00.000Z'); // no DST since 2011
    expect(iso(startOfDay('2026-10-25', 'Europe/Moscow'))).toBe('2026-10-24T21:00:00.000Z');
    expect(iso(atLocalTime('2026-10-25', 0, 5, 'Europe/Moscow'))).toBe('2026-10-24T21:05:00.000Z');
    expect(iso(startOfDay('2011-03-28', 'Europe/Moscow'))).toBe('2011-03-27T20:00:00.000Z'); // +04:00 from 27.03.2011
    expect(iso(startOfDay('2014-10-26', 'Europe/Moscow'))).toBe('2014-10-25T20:00:00.000Z'); // +04:00 until 02:00 that day
    expect(iso(startOfDay('2014-10-27', 'Europe/Moscow'))).toBe('2014-10-26T21:00:00.000Z'); // +03:00 since
  });

  it('counts Novokuznetsk days at +07:00, month ends and year ends included', () => {
    expect(iso(startOfDay('2027-01-01', TZ))).toBe('2026-12-31T17:00:00.000Z');
    expect(iso(atLocalTime('2026-12-01', 0, 5, TZ))).toBe('2026-11-30T17:05:00.000Z');
    expect(hourOf(new Date('2026-11-30T17:05:00.000Z'), TZ)).toBe(0);
    expect(iso(sameTimeDaysLater(new Date('2026-11-29T16:30:00.000Z'), 3, TZ))).toBe('2026-12-02T16:30:00.000Z');
  });

  it('gives the same wall clock through a DST change when the same minute is asked again and again (the kept offset)', () => {
    // Auckland 03:00 -> 02:00 and Lord Howe 02:00 -> 01:30 on 2026-04-05, St John's (-02:30 -> -03:30) on 2026-11-01
    const spans: Array<[string, string]> = [['Pacific/Auckland', '2026-04-04T13:00:00.000Z'], ['Australia/Lord_Howe', '2026-04-04T14:00:00.000Z'], ['America/St_Johns', '2026-11-01T02:00:00.000Z'], ['Asia/Kathmandu', '2026-04-04T14:00:00.000Z'], [TZ, '2026-11-30T16:00:00.000Z']];
    for (const [zone, from] of spans) {
      const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
      const expected = (at: Date) => {
        const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, x.value]));
        return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
      };
      for (let ms = Date.parse(from); ms < Date.parse(from) + 3 * 3600_000; ms += 7_013) {
        const at = new Date(ms);
        expect(`${zone} ${formatDateTime(at, zone)}`).toBe(`${zone} ${expected(at)}`);
        expect(formatDateTime(new Date(ms + 500), zone)).toBe(expected(new Date(ms + 500))); // the same minute again
        expect(dayOf(at, zone)).toBe(expected(at).replace(/^(\d\d)\.(\d\d)\.(\d{4}).*$/, '$3-$2-$1'));
      }
    }
  });
});
