// What «Заявки на подключение» accepts.
import { z } from 'zod';
import { REQUEST_STATUSES } from './queries';

const optionalNote = z.string().optional().transform((v) => (v ?? '').trim()).refine((v) => v.length <= 2000, 'adm.req.note.long').transform((v) => v || null);
const requiredText = (required: string) => z.string({ error: required }).trim().min(1, required).max(2000, 'adm.req.note.long');

export const listQuery = z.object({
  status: z.enum(REQUEST_STATUSES).optional().catch(undefined),
  order: z.enum(['newest', 'oldest']).optional().catch(undefined),
});
export const callForm = z.object({ callNote: optionalNote });
export const signForm = z.object({
  contract: z.string({ error: 'adm.req.contract.required' }).trim().min(1, 'adm.req.contract.required').regex(/^\d{1,12}$/, 'adm.req.contract.invalid'),
});
export const refuseForm = z.object({ reason: requiredText('adm.req.reason.required') });
export const noteForm = z.object({ note: requiredText('adm.req.note.required') });
