// «Журнал действий» (admin): the audit log by staff member, contract, action and period (the provider's days),
// 50 rows a page, newest first; each row's values before and after shown as «key: old → new».
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { addDays, startOfDay } from '../../lib/dates';
import { staffNames } from '../../staff/queries';
import { optionalDay } from '../../web/fields';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import { t, type MessageKey } from '../../web/i18n';
import { ru } from '../../web/messages.ru';
import { requireStaff } from '../session';
import { auditActions, contractIdByNumber, searchAudit, type AuditListRow } from './queries';

const PAGE = 50;

const auditQuery = z.object({
  staff: z.string().trim().optional().refine((v) => !v || /^\d{1,9}$/.test(v), 'adm.audit.error.staff').transform((v) => (v ? Number(v) : null)),
  contract: z.string().trim().optional().refine((v) => !v || /^\d{1,12}$/.test(v), 'adm.audit.error.contract').transform((v) => v || null),
  action: z.string().trim().max(100, 'adm.audit.error.action').optional().transform((v) => v || null),
  from: optionalDay('period.from.invalid'),
  to: optionalDay('period.to.invalid'),
  page: z.string().optional().transform((v) => v || '1').refine((v) => /^\d{1,6}$/.test(v) && Number(v) >= 1, 'period.page.invalid').transform(Number),
}).refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'period.reversed', path: ['to'] });

/** The raw action when the catalogue has no Russian name for it (a new feature's action still shows). */
export const actionLabel = (action: string): string => {
  const key = `adm.audit.a.${action}`;
  return Object.hasOwn(ru, key) ? t(key as MessageKey) : action;
};

const parseJson = (s: string | null): Record<string, unknown> | null => {
  if (!s) return null;
  try {
    const v: unknown = JSON.parse(s);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { value: s };
  }
};
const shown = (v: unknown) => (v === undefined ? '—' : v === null ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));

/** «key: old → new» for a staff action's before/after; «key: value» for a detail alone. Escaped by the view. */
export function changesOf(r: Pick<AuditListRow, 'before' | 'after' | 'detail'>): { key: string; from: string | null; to: string }[] {
  const before = parseJson(r.before);
  const after = parseJson(r.after);
  const out: { key: string; from: string | null; to: string }[] = [];
  if (before || after) {
    const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
    for (const k of keys) {
      const [b, a] = [before?.[k], after?.[k]];
      if (before && after && JSON.stringify(b) === JSON.stringify(a)) out.push({ key: k, from: null, to: shown(a) });
      else out.push({ key: k, from: before ? shown(b) : null, to: shown(a) });
    }
  }
  for (const [k, v] of Object.entries(parseJson(r.detail) ?? {})) out.push({ key: k, from: null, to: shown(v) });
  return out;
}

export function auditRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/admin/audit', requireStaff(ctx, 'audit'), async (req, res) => {
    const values = typedValues(req.query, ['staff', 'contract', 'action', 'from', 'to']);
    const [staffList, actions] = await Promise.all([staffNames(ctx.db), auditActions(ctx.db)]);
    const render = (status: number, o: { rows?: AuditListRow[]; page?: number; more?: boolean; fieldErrors?: FieldErrors }) =>
      res.status(status).render('admin/audit/index', {
        title: 'adm.audit.title', values, staffList, actions, actionLabel, changesOf, rows: o.rows ?? [], page: o.page ?? 1, more: o.more ?? false,
        fieldErrors: o.fieldErrors ?? {}, searched: status === 200,
        pageLink: (p: number) => `/admin/audit?${new URLSearchParams({ ...Object.fromEntries(Object.entries(values).filter(([, v]) => v)), page: String(p) })}`,
      });
    const form = parseForm(auditQuery, req.query);
    if (!form.ok) return render(422, { fieldErrors: form.errors });
    const q = form.data;
    const errors: FieldErrors = {};
    if (q.staff !== null && !staffList.some((s) => s.id === q.staff)) errors.staff = 'adm.audit.error.staff';
    if (q.action !== null && !actions.includes(q.action)) errors.action = 'adm.audit.error.action';
    if (Object.keys(errors).length) return render(422, { fieldErrors: errors });
    const contractId = q.contract ? await contractIdByNumber(ctx.db, q.contract) : null;
    if (q.contract && contractId === null) return render(200, { rows: [] });
    const tz = ctx.config.timeZone;
    const rows = await searchAudit(ctx.db, {
      staffId: q.staff, contractId, action: q.action,
      fromAt: q.from ? startOfDay(q.from, tz).toISOString() : null, toAt: q.to ? startOfDay(addDays(q.to, 1), tz).toISOString() : null,
    }, { limit: PAGE, offset: (q.page - 1) * PAGE });
    render(200, { rows: rows.slice(0, PAGE), page: q.page, more: rows.length > PAGE });
  });
  return router;
}
