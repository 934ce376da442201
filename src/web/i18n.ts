// t(): every text the pages show comes from one catalogue (messages.ru.ts); Russian plurals through
// Intl.PluralRules('ru'). Another language would be another catalogue with the same keys.
import { formatMoney } from '../lib/money';
import { ru, type Messages, type PluralForms } from './messages.ru';

export type MessageKey = keyof Messages;
type Params = Record<string, string | number>;

const plural = new Intl.PluralRules('ru');

// A catalogue text split once at its placeholders: ['Хватит до ', 'date', ' включительно'] (odd places are names).
const split = new Map<string, string[]>();

function fill(text: string, params: Params): string {
  if (!text.includes('{')) return text; // most texts have no placeholder
  let parts = split.get(text);
  if (!parts) {
    parts = text.split(/\{(\w+)\}/);
    split.set(text, parts);
  }
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) out += (parts[i] in params ? String(params[parts[i]]) : `{${parts[i]}}`) + parts[i + 1];
  return out;
}

/**
 * A key the catalogue lacks (a template builds 'status.' + status and meets a new status): tests and development
 * throw, so a typo fails a test; production logs it once and shows the key, and the page still answers.
 */
let strict = true;
let report: (key: string) => void = () => {};
const reported = new Set<string>();
export function onMissingMessage(o: { strict: boolean; log: (key: string) => void }): void {
  strict = o.strict;
  report = o.log;
  reported.clear();
}

export function t(key: MessageKey, params: Params = {}): string {
  const entry = (Object.hasOwn(ru, key) ? ru[key] : undefined) as string | PluralForms | undefined;
  if (entry === undefined) {
    if (strict) throw new Error(`t(): "${String(key)}" is not in the catalogue (src/web/messages.ru.ts)`);
    if (!reported.has(key)) {
      reported.add(key);
      report(key);
    }
    return String(key);
  }
  if (typeof entry === 'string') return fill(entry, params);
  const count = Number(params.count ?? 0);
  const form = plural.select(count) as keyof PluralForms;
  return fill(entry[form] ?? entry.many, params);
}

/** «баланс уйдёт в минус» for a floor of 0, «минус на балансе превысит 100,00 ₽» below it: never «меньше 0,00 ₽». */
export function belowFloor(floorKopecks: number): string {
  if (floorKopecks === 0) return t('floor.below.zero');
  return floorKopecks < 0 ? t('floor.below.credit', { limit: formatMoney(-floorKopecks) }) : t('floor.below.positive', { floor: formatMoney(floorKopecks) });
}
