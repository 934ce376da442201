// t(): every text the pages show comes from one catalogue (messages.ru.ts); Russian plurals through
// Intl.PluralRules('ru'). Another language would be another catalogue with the same keys.
import { ru, type Messages, type PluralForms } from './messages.ru';

export type MessageKey = keyof Messages;
type Params = Record<string, string | number>;

const plural = new Intl.PluralRules('ru');

function fill(text: string, params: Params): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function t(key: MessageKey, params: Params = {}): string {
  const entry = ru[key] as string | PluralForms;
  if (typeof entry === 'string') return fill(entry, params);
  const count = Number(params.count ?? 0);
  const form = plural.select(count) as keyof PluralForms;
  return fill(entry[form] ?? entry.many, params);
}
