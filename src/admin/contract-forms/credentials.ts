// A new password waits for its one printable page in the staff member's own session, sealed (AES-256-GCM with a key
// derived from SESSION_SECRET: the sessions table or a backup of it shows no password) and for 15 minutes at most.
// Showing it takes it out: a reload, another staff member, or the page opened later finds nothing and says so.
import crypto from 'node:crypto';
import type { Request } from 'express';

declare module 'express-session' {
  interface SessionData {
    /** Contract id -> a sealed first/new password waiting for its print page (console sessions only). */
    credentials?: Record<string, { box: string; until: number }>;
  }
}

const TTL_MS = 15 * 60_000;
const keyOf = (secret: string) => crypto.createHmac('sha256', secret).update('kabinet:admin:credentials').digest();

export function keepForPrint(req: Request, secret: string, contractId: number, password: string, now: number): void {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyOf(secret), iv);
  cipher.setAAD(Buffer.from(String(contractId)));
  const box = Buffer.concat([iv, cipher.update(password, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url');
  const kept = { ...(req.session.credentials ?? {}) };
  for (const [id, v] of Object.entries(kept)) if (v.until <= now) delete kept[id];
  kept[String(contractId)] = { box, until: now + TTL_MS };
  req.session.credentials = kept;
}

/** The password kept for this contract, taken out of the session (null: shown already, expired or never kept). */
export function takeForPrint(req: Request, secret: string, contractId: number, now: number): string | null {
  const kept = req.session.credentials?.[String(contractId)];
  if (!kept) return null;
  const rest = { ...req.session.credentials };
  delete rest[String(contractId)];
  req.session.credentials = Object.keys(rest).length ? rest : undefined;
  if (kept.until <= now) return null;
  try {
    const raw = Buffer.from(kept.box, 'base64url');
    const decipher = crypto.createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(String(contractId)));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
