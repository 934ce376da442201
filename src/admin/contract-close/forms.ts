import { z } from 'zod';
import { requiredDay } from '../../web/fields';

export const REASON_MAX = 300;

/** The closing day and the reason; `confirm` = '1' on the check page's button. */
export const closeForm = z.object({
  day: requiredDay('adm.close.day.required', 'adm.close.day.invalid'),
  reason: z.string({ error: 'adm.close.reason.required' }).trim().min(1, 'adm.close.reason.required').max(REASON_MAX, 'adm.close.reason.tooLong'),
  confirm: z.string().optional(),
});
export type CloseInput = z.output<typeof closeForm>;
