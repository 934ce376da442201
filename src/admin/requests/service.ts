// «Заявки на подключение»: new → called → signed (the contract it became) | refused; a note at any state. Each move is
// decided on the request's row locked in the transaction that writes it, its history row and its audit row.
import type { AppContext } from '../../context';
import { auditStaff, type StaffActor } from '../../audit/service';
import { inTransaction } from '../../db';
import * as q from './queries';
import type { RequestStatus } from './queries';

/** Where each state may go. */
const NEXT: Record<RequestStatus, readonly RequestStatus[]> = { new: ['called'], called: ['signed', 'refused'], signed: [], refused: [] };

export type Move =
  | { to: 'called'; note: string | null }
  | { to: 'signed'; contractNumber: string }
  | { to: 'refused'; reason: string };

export type MoveResult = { kind: 'done' } | { kind: 'missing' } | { kind: 'impossible'; status: RequestStatus } | { kind: 'unknownContract' };

export function createRequestsService(ctx: AppContext) {
  const now = () => ctx.clock.now().toISOString();
  return {
    list: (f: { status: RequestStatus | null; oldestFirst: boolean; limit: number }) => q.listRequests(ctx.db, f),
    async show(id: number) {
      const request = await q.requestById(ctx.db, id);
      return request ? { request, events: await q.requestEvents(ctx.db, id) } : null;
    },
    countNew: () => q.countNewRequests(ctx.db),

    async move(actor: StaffActor, id: number, m: Move): Promise<MoveResult> {
      return inTransaction(ctx.db, async (trx) => {
        const row = await q.lockRequest(trx, id);
        if (!row) return { kind: 'missing' } as const;
        if (!NEXT[row.status].includes(m.to)) return { kind: 'impossible', status: row.status } as const;
        let contractId: number | undefined;
        if (m.to === 'signed') {
          contractId = (await q.contractIdByNumber(trx, m.contractNumber))?.id;
          if (!contractId) return { kind: 'unknownContract' } as const;
        }
        const at = now();
        const note = m.to === 'refused' ? m.reason : m.to === 'called' ? m.note : null;
        await q.setRequestStatus(trx, id, { status: m.to, updated_at: at, ...(contractId ? { contract_id: contractId } : {}) });
        await q.insertRequestEvent(trx, { request_id: id, staff_id: actor.staffId, from_status: row.status, to_status: m.to, note, at });
        await auditStaff(ctx, actor, {
          action: `connection_request_${m.to}`, contractId: contractId ?? null,
          before: { status: row.status }, after: { status: m.to, ...(contractId ? { contractId } : {}) }, detail: { requestId: id, note },
        }, trx);
        return { kind: 'done' } as const;
      });
    },

    async note(actor: StaffActor, id: number, note: string): Promise<'done' | 'missing'> {
      return inTransaction(ctx.db, async (trx) => {
        const row = await q.lockRequest(trx, id);
        if (!row) return 'missing';
        const at = now();
        await q.touchRequest(trx, id, at);
        await q.insertRequestEvent(trx, { request_id: id, staff_id: actor.staffId, from_status: row.status, to_status: row.status, note, at });
        await auditStaff(ctx, actor, { action: 'connection_request_note', contractId: row.contract_id, detail: { requestId: id, note } }, trx);
        return 'done';
      });
    },
  };
}
export type RequestsService = ReturnType<typeof createRequestsService>;
