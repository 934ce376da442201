// Money is integer kopecks. This is the only place that turns it into text or reads it from text.
export type Kopecks = number & { readonly __brand: 'Kopecks' };

export function kopecks(n: number): Kopecks {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole number of kopecks: ${n}`);
  return n as Kopecks;
}

export function rubles(r: number): Kopecks {
  return kopecks(r * 100);
}

const groups = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 0 });

/** 123450 -> "1 234,50 ₽" (Russian grouping with a no-break space; no floating point on the way). */
export function formatMoney(k: number): string {
  const sign = k < 0 ? '−' : '';
  const abs = Math.abs(k);
  const whole = Math.trunc(abs / 100);
  const frac = abs - whole * 100;
  return `${sign}${groups.format(whole)},${String(frac).padStart(2, '0')}\u00a0₽`;
}

/** Kopecks as a plain number in Russian notation for spreadsheets: -123450 -> "-1234,50" (no grouping, no sign of the currency). */
export function formatMoneyPlain(k: number): string {
  const abs = Math.abs(k);
  return `${k < 0 ? '-' : ''}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** Up to whole rubles: 72001 -> 72100, 72000 -> 72000, -150 -> -100 (integer arithmetic). */
export function roundUpToRubles(k: number): number {
  const rest = ((k % 100) + 100) % 100;
  return rest === 0 ? k : k + 100 - rest;
}

/** Kopecks as a form's amount field shows them again: 60000 -> "600,00", 5 -> "0,05" (no grouping, no currency). */
export function amountInput(k: number): string {
  const abs = Math.abs(k);
  return `${k < 0 ? '-' : ''}${Math.trunc(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** A sum of whole rubles as a form's field of rubles shows it: 10000 -> "100" (anything else as amountInput does). */
export function wholeRublesInput(k: number): string {
  return k % 100 === 0 ? String(k / 100) : amountInput(k);
}

/** Kopecks as a decimal with a dot, as payment APIs want it (YooKassa's amount.value): 12345 -> "123.45". */
export function decimalValue(k: number): string {
  const abs = Math.abs(k);
  return `${k < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "123.45" (a payment API's amount.value) -> 12345, or null when it is not an amount with at most two decimals. */
export function parseDecimalValue(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(String(value));
  if (!m) return null;
  const k = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(k) ? k : null;
}

/** "1 234,5" / "1234.50" / "1234" -> kopecks, or null when the text is not an amount of money. */
export function parseMoney(text: string): Kopecks | null {
  const s = text.replace(/[\s\u00a0₽]/g, '').replace(',', '.');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return kopecks(Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')));
}
