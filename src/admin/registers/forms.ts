// What the registers' forms accept.
import { z } from 'zod';

/** «Разнести»: the contract number as typed (digits only; spaces dropped). */
export const assignForm = z.object({
  contract: z
    .string({ error: 'adm.reg.contract.required' })
    .transform((v) => v.replace(/[\s\u00a0]/g, ''))
    .pipe(z.string().min(1, 'adm.reg.contract.required').regex(/^\d{1,12}$/, 'adm.reg.contract.digits')),
});

/** «Вернуть плательщику»: why, for the record (required). */
export const returnForm = z.object({
  note: z.string({ error: 'adm.reg.note.required' }).trim().min(1, 'adm.reg.note.required').max(500, 'adm.reg.note.tooLong'),
});

/** A row or register id in the path. */
export const idParam = z.coerce.number().int().positive();
