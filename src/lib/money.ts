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

/** "1 234,5" / "1234.50" / "1234" -> kopecks, or null when the text is not an amount of money. */
export function parseMoney(text: string): Kopecks | null {
  const s = text.replace(/[\s\u00a0₽]/g, '').replace(',', '.');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return kopecks(Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')));
}
