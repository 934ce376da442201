// Days are the provider's (a time zone from config); instants are stored as UTC ISO strings.
// A "day" here is a 'YYYY-MM-DD' string in the provider's calendar.
export type Day = string;

const partsCache = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = partsCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    partsCache.set(tz, f);
  }
  return f;
}

function wallClock(at: Date, tz: string) {
  const p: Record<string, string> = {};
  for (const { type, value } of formatter(tz).formatToParts(at)) p[type] = value;
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour, mi: +p.minute, s: +p.second };
}

/** The provider's calendar day of an instant. */
export function dayOf(at: Date, tz: string): Day {
  const w = wallClock(at, tz);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}`;
}

/** The instant a provider day begins (00:00 local), as a Date. */
export function startOfDay(day: Day, tz: string): Date {
  const [y, m, d] = splitDay(day);
  const guess = Date.UTC(y, m - 1, d);
  const w = wallClock(new Date(guess), tz);
  const offset = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - guess;
  return new Date(guess - offset);
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
