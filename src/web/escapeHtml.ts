// The views' <%= %> escaping: the same characters and entities as EJS's own escapeXML (& < > " '), but a value with
// none of them (most of a page: numbers, dates, Russian text) is returned as it is, without a replace() over it.
const SPECIAL = /[&<>"']/;
const SPECIAL_ALL = /[&<>"']/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const entity = (c: string) => ENTITIES[c];

export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, entity) : text;
}
