// zod fields that several forms share.
import { z } from 'zod';
import { isDay } from '../lib/dates';

/** A day from a date input (2026-11-24), or typed by hand where the browser has no date picker (24.11.2026). */
function normalizeDay(v: string): string {
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v);
  return ru ? `${ru[3]}-${ru[2].padStart(2, '0')}-${ru[1].padStart(2, '0')}` : v;
}

/** An optional day: empty is null. */
export const optionalDay = (invalid: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? normalizeDay(v) : null))
    .refine((v) => v === null || isDay(v), invalid);

/** A day that must be given. */
export const requiredDay = (required: string, invalid: string) =>
  z.string({ error: required }).trim().min(1, required).transform(normalizeDay).refine(isDay, invalid);
