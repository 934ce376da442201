// Form errors are not exceptions: the form is shown again (422) with a summary on top and the message
// beside each field, keeping what the person typed.
import type { z } from 'zod';
import type { MessageKey } from './i18n';

export type FieldErrors = Record<string, MessageKey>;
export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function parseForm<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (!(field in errors)) errors[field] = (issue.message.includes('.') ? issue.message : 'error.badRequest') as MessageKey;
  }
  return { ok: false, errors };
}

/** What the person typed, as strings only, for re-filling a form (never the password). */
export function typedValues(body: unknown, fields: string[]): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, typeof b[f] === 'string' ? (b[f] as string).slice(0, 4000) : '']));
}
