// Reads a bank's file: finds its encoding by its bytes and its format by its content, then hands it to the 1C or the
// CSV reader. A file that is neither, is empty, or reads as mojibake gets a problem, never an exception.
import iconv from 'iconv-lite';
import type { Encoding, ParsedRegister } from './bankRow';
import { is1C, parse1C } from './parse1c';
import { parseCsv } from './parseCsv';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of the bytes: valid UTF-8 (a BOM or not) is UTF-8; anything else is read as windows-1251. */
export function decodeRegister(buf: Buffer): { text: string; encoding: Encoding } {
  const bytes = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
  try {
    return { text: utf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'win1251'), encoding: 'windows-1251' };
  }
}

/**
 * Text read in the wrong encoding: UTF-8 bytes read as windows-1251 («Р”Р°С‚Р°» for «Дата»), or as Latin-1
 * («Ð”Ð°Ñ‚Ð°»), or bytes that were lost on the way (U+FFFD).
 */
export function looksLikeMojibake(text: string): boolean {
  if (text.includes('\ufffd')) return true;
  const cp1251 = text.match(/[РС][\u0402-\u040f\u0452-\u045f\u0490\u0491\u00a0-\u00bf\u2013-\u2122]/g)?.length ?? 0;
  const latin1 = text.match(/[ÐÑ][\u0080-\u00bf]/g)?.length ?? 0;
  return cp1251 + latin1 >= 3;
}

export function parseRegister(buf: Buffer): ParsedRegister {
  if (buf.length === 0 || /^[\s\u0000]*$/.test(buf.toString('latin1'))) return { ok: false, problem: 'empty' };
  const { text, encoding } = decodeRegister(buf);
  if (is1C(text)) {
    const r = parse1C(text, encoding);
    // A 1C file in DOS encoding (Кодировка=DOS): its keys are only readable as cp866.
    if (!r.ok && r.problem === 'encoding' && encoding === 'windows-1251') {
      const dos = parse1C(iconv.decode(buf, 'cp866'), 'cp866');
      if (dos.ok) return dos;
    }
    return r;
  }
  if (looksLikeMojibake(text)) return { ok: false, problem: 'encoding' };
  return parseCsv(text, encoding);
}
