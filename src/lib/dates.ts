// Days are the provider's (a time zone from config); instants are stored as UTC ISO strings.
// A "day" here is a 'YYYY-MM-DD' string in the provider's calendar.
import { TZDate } from '@date-fns/tz';

export type Day = string;

// Zone arithmetic goes through @date-fns/tz (TZDate), which reads the zone's offsets at each instant from the
// runtime's IANA data: a day that begins or ends on a DST change (Pacific/Auckland 2026-04-05, 25 hours) is right.
// Every page asks for the wall clock of "now" (today's day, «Обновлено в …»), and a TZDate costs a few µs: the zone's
// offset found for a UTC minute serves the rest of that minute. Exact: since 1980 every zone's offsets are whole
// minutes and change at whole UTC minutes, so one minute never spans two offsets; earlier instants are not kept.
const lastMinute = new Map<string, { minute: number; offsetMs: number }>();
const KEEP_FROM_MS = Date.UTC(1980, 0, 1);

function wallClock(at: Date, tz: string) {
  const ms = at.getTime();
  const minute = Math.floor(ms / 60_000);
  const kept = lastMinute.get(tz);
  if (kept && kept.minute === minute) {
    const w = new Date(ms + kept.offsetMs);
    return { y: w.getUTCFullYear(), mo: w.getUTCMonth() + 1, d: w.getUTCDate(), h: w.getUTCHours(), mi: w.getUTCMinutes(), s: w.getUTCSeconds() };
  }
  const z = new TZDate(ms, tz);
  const w = { y: z.getFullYear(), mo: z.getMonth() + 1, d: z.getDate(), h: z.getHours(), mi: z.getMinutes(), s: z.getSeconds() };
  const offsetMs = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - (ms - (ms % 1000));
  if (ms >= KEEP_FROM_MS && offsetMs % 60_000 === 0) lastMinute.set(tz, { minute, offsetMs });
  return w;
}

/** The provider's calendar day of an instant. */
export function dayOf(at: Date, tz: string): Day {
  const w = wallClock(at, tz);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}`;
}

/** The instant a provider day begins (its first instant: 00:00 local, or 01:00 where midnight is skipped by DST). */
export function startOfDay(day: Day, tz: string): Date {
  return atLocalTime(day, 0, 0, tz);
}

/**
 * The instant a provider day shows hh:mm on the wall clock (not "midnight plus so many hours", which is an hour
 * off after a DST change). A time skipped by DST moves forward to the first one that exists; a repeated one is
 * the later of the two (TZDate's rule).
 */
export function atLocalTime(day: Day, hour: number, minute: number, tz: string): Date {
  const [y, m, d] = splitDay(day);
  return new Date(new TZDate(y, m - 1, d, hour, minute, 0, 0, tz).getTime());
}

/** The provider's hour (0-23) of an instant. */
export function hourOf(at: Date, tz: string): number {
  return wallClock(at, tz).h;
}

/** The same provider wall-clock time `days` days later: 12:00 on 24.11 -> 12:00 on 27.11, across DST changes. */
export function sameTimeDaysLater(at: Date, days: number, tz: string): Date {
  const w = wallClock(at, tz);
  const later = new TZDate(w.y, w.mo - 1, w.d + days, w.h, w.mi, w.s, at.getUTCMilliseconds(), tz);
  return new Date(later.getTime());
}

export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = splitDay(s);
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) && y >= 1900 && y <= 2999;
}

export function splitDay(day: Day): [number, number, number] {
  return [Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function addDays(day: Day, n: number): Day {
  const [y, m, d] = splitDay(day);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function addMonths(day: Day, n: number): Day {
  const [y, m] = splitDay(day);
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  return first.toISOString().slice(0, 10);
}

/** '2026-11-24' -> '24.11.2026' */
export function formatDay(day: Day): string {
  return `${day.slice(8, 10)}.${day.slice(5, 7)}.${day.slice(0, 4)}`;
}

/** An instant as the provider's '24.11.2026 14:05'. */
export function formatDateTime(at: Date | string, tz: string): string {
  const w = wallClock(typeof at === 'string' ? new Date(at) : at, tz);
  return `${pad(w.d)}.${pad(w.mo)}.${w.y} ${pad(w.h)}:${pad(w.mi)}`;
}

export function pad(n: number): string {
  return String(n).padStart(2, '0');
}
