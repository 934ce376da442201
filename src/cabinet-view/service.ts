// «Открыть кабинет абонента»: a staff member of a role that may (admin, support) opens a subscriber's cabinet
// read-only. The console makes a one-time claim (only the token's sha256 is kept, 60 s to claim it, claimed once);
// the subscribers' site turns it into a session of its own that lasts an hour at most and ends when the staff member
// is disabled or loses the role. The visit is audited: started, every refused change, ended.
import crypto from 'node:crypto';
import type { AppContext } from '../context';
import { auditStaff, type StaffActor } from '../audit/service';
import { inTransaction } from '../db';
import { can } from '../admin/roles';
import { NotFound } from '../web/errors';
import * as q from './queries';

export const CLAIM_WINDOW_MS = 60_000;
export const VIEW_LIFETIME_MS = 60 * 60_000;

/** What a viewer session keeps beside the contract id. */
export type Viewer = { staffId: number; staffName: string; viewId: number; number: string };

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export function cabinetViewService(ctx: AppContext) {
  const nowIso = () => ctx.clock.now().toISOString();
  return {
    /** A new one-time token for this staff member and contract (audited); the redirect carries it. */
    async start(actor: StaffActor, contractId: number): Promise<string> {
      const token = crypto.randomBytes(32).toString('base64url');
      await inTransaction(ctx.db, async (trx) => {
        if (!(await q.contractExists(trx, contractId))) throw new NotFound();
        const viewId = await q.insertView(trx, { staff_id: actor.staffId, contract_id: contractId, token_hash: hash(token), created_at: nowIso() });
        await auditStaff(ctx, actor, { action: 'cabinet_view_started', contractId, detail: { viewId } }, trx);
      });
      return token;
    },

    /** The view a token opens, once, within 60 s, for a staff member still active and allowed; else null. */
    async claim(token: string): Promise<{ contractId: number; viewer: Viewer } | null> {
      if (!/^[\w-]{20,100}$/.test(token)) return null;
      const now = ctx.clock.now();
      const claimed = await q.claimView(ctx.db, hash(token), new Date(now.getTime() - CLAIM_WINDOW_MS).toISOString(), now.toISOString());
      if (!claimed) return null;
      const v = await q.viewWithStaff(ctx.db, { 'v.token_hash': hash(token) });
      if (!v || !v.active || !can(v.role, 'viewCabinet')) {
        if (v) await q.endView(ctx.db, v.id, now.toISOString());
        return null;
      }
      return { contractId: v.contract_id, viewer: { staffId: v.staff_id, staffName: v.staff_name, viewId: v.id, number: v.number } };
    },

    /** Whether a viewer session may go on: the view not ended, younger than an hour, its staff member active and allowed. */
    async stillValid(viewer: Viewer, signedInAt: number): Promise<boolean> {
      const v = await q.viewWithStaff(ctx.db, { 'v.id': viewer.viewId });
      const ok = Boolean(v && !v.ended_at && v.active && can(v.role, 'viewCabinet') && ctx.clock.now().getTime() - signedInAt < VIEW_LIFETIME_MS);
      if (!ok && v && !v.ended_at) await q.endView(ctx.db, v.id, nowIso());
      return ok;
    },

    /** A change the viewer tried: refused, and written down. */
    refused(viewer: Viewer, contractId: number, ip: string, what: { method: string; path: string }): Promise<void> {
      return auditStaff(ctx, { staffId: viewer.staffId, ip }, { action: 'cabinet_view_refused', contractId, detail: { viewId: viewer.viewId, ...what } });
    },

    /** «Завершить просмотр». */
    async end(viewer: Viewer, contractId: number, ip: string): Promise<void> {
      await inTransaction(ctx.db, async (trx) => {
        if (await q.endView(trx, viewer.viewId, nowIso())) {
          await auditStaff(ctx, { staffId: viewer.staffId, ip }, { action: 'cabinet_view_ended', contractId, detail: { viewId: viewer.viewId } }, trx);
        }
      });
    },
  };
}

export type CabinetViewService = ReturnType<typeof cabinetViewService>;
