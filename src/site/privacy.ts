// «Политика обработки персональных данных» (152-FZ): the provider's own text, from the file PRIVACY_POLICY_FILE names
// (content/privacy.md by default). The provider edits it; the page reads it again when its modification time changes.
// Markdown, a small safe subset: # headings, paragraphs, "- " lists, **bold**, [text](https://… | mailto:… | /path).
// Every character of the file is escaped first; only those constructs become tags, so the file cannot inject markup.
import fs from 'node:fs/promises';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function inline(text: string, fill: Record<string, string>): string {
  const filled = text.replace(/\{(provider\.name|provider\.email)\}/g, (_, k: string) => fill[k] ?? '');
  return escape(filled)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(((?:https?:\/\/|mailto:|\/)[^\s)]*)\)/g, (_, label: string, href: string) => `<a href="${href}">${label}</a>`);
}

/** The file's text as HTML; {provider.name} and {provider.email} are filled in. */
export function renderPolicy(markdown: string, fill: Record<string, string>): string {
  const out: string[] = [];
  let list: string[] | null = null;
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '), fill)}</p>`);
    para = [];
    if (list) out.push(`<ul>${list.map((li) => `<li>${inline(li, fill)}</li>`).join('')}</ul>`);
    list = null;
  };
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    const item = /^[-*]\s+(.*)$/.exec(line);
    if (!line) flush();
    else if (heading) {
      flush();
      // the page's own h1 is the title: the file's levels start at h2
      const level = heading[1].length + 1;
      out.push(`<h${level}>${inline(heading[2], fill)}</h${level}>`);
    } else if (item) {
      if (para.length) flush();
      (list ??= []).push(item[1]);
    } else if (list) list[list.length - 1] += ` ${line}`;
    else para.push(line);
  }
  flush();
  return out.join('\n');
}

export function createPrivacyPolicy(file: string, fill: Record<string, string>) {
  let cached: { mtimeMs: number; html: string } | null = null;
  return async function policyHtml(): Promise<string> {
    const { mtimeMs } = await fs.stat(file);
    if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, html: renderPolicy(await fs.readFile(file, 'utf8'), fill) };
    return cached.html;
  };
}
