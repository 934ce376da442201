// What a tester types: a moment (KABINET_NOW, `kabinet clock set`) and a step (`kabinet clock advance`). Pure.
import { atLocalTime, isDay, sameTimeDaysLater } from '../lib/dates';

const MOMENT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * '2026-12-31T23:55' (the provider's wall clock), '2026-12-31 23:55:30', '2026-12-31T18:55Z' or
 * '2026-12-31T23:55+07:00' (an explicit offset) -> the instant; null when it is not such a moment or does not exist.
 * A wall-clock time skipped by a DST change moves forward to the first one that exists (src/lib/dates.ts).
 */
export function parseMoment(text: string, timeZone: string): Date | null {
  const m = MOMENT.exec(text.trim());
  if (!m) return null;
  const [, day, hh, mm, ss = '00', offset] = m;
  if (!isDay(day) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  if (offset) {
    const zone = offset === 'Z' ? 'Z' : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
    if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4)) > 59)) return null;
    const at = new Date(`${day}T${hh}:${mm}:${ss}${zone}`);
    return Number.isNaN(at.getTime()) ? null : at;
  }
  return new Date(atLocalTime(day, Number(hh), Number(mm), timeZone).getTime() + Number(ss) * 1000);
}

const STEP = /^(?:\d{1,6}[mhd])+$/;

/**
 * '90m', '12h', '3d' or a sum of them ('1d12h') after `from`; days keep the provider's wall-clock time across a DST
 * change (as a promised payment's term does). Null when it is not such a step, or it is zero.
 */
export function afterStep(from: Date, text: string, timeZone: string): Date | null {
  const s = text.trim().toLowerCase();
  if (!STEP.test(s)) return null;
  let days = 0;
  let ms = 0;
  for (const [, n, unit] of s.matchAll(/(\d+)([mhd])/g)) {
    if (unit === 'd') days += Number(n);
    else ms += Number(n) * (unit === 'h' ? 3_600_000 : 60_000);
  }
  if (days === 0 && ms === 0) return null;
  const base = days ? sameTimeDaysLater(from, days, timeZone) : from;
  return new Date(base.getTime() + ms);
}
