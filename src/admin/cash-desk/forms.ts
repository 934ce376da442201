// What the cash desk accepts: the contract's number, a payment (amount, method, the office register's receipt), a
// correction (a signed amount and its reason), the shift report's day and staff member. The payment's upper limit
// comes from config (checked by the service); a correction's is fixed here.
import { z } from 'zod';
import { parseMoney } from '../../lib/money';
import { amountField, optionalDay } from '../../web/fields';

export const METHODS = ['cash', 'office_card'] as const;
export type CashMethod = (typeof METHODS)[number];
export const RECEIPT_MAX = 40;
export const REASON_MAX = 300;
/** A sanity bound on a correction (1 000 000 ₽ either way): the check page is the guard against a slip of the finger. */
export const CORRECTION_MAX_KOPECKS = 100_000_000;

/** A contract's number as typed: digits only (letters get their own message), at most 12 (longer is no contract). */
export const contractNumber = z
  .string({ error: 'adm.cash.contract.required' })
  .trim()
  .min(1, 'adm.cash.contract.required')
  .regex(/^\d+$/, 'adm.cash.contract.digits')
  .max(12, 'adm.cash.contract.notFound');

/** The one-time key of a rendered form: it becomes the ledger entry's idempotency key, so a double click pays once. */
const formKey = z.string({ error: 'adm.cash.stale' }).regex(/^[A-Za-z0-9-]{16,64}$/, 'adm.cash.stale');

export const findQuery = z.object({ contract: contractNumber });

export const paymentForm = z.object({
  contract: contractNumber,
  amount: amountField(),
  method: z.enum(METHODS, { error: 'adm.cash.method.required' }),
  receipt: z.string({ error: 'adm.cash.receipt.required' }).trim().min(1, 'adm.cash.receipt.required').max(RECEIPT_MAX, 'adm.cash.receipt.tooLong'),
  key: formKey,
});
export type PaymentInput = z.output<typeof paymentForm>;

/** «+150», «-150,00», «150» (a credit), «−1 234,50»: kopecks with their sign; zero and more than the bound refused. */
export const signedAmount = z
  .string({ error: 'adm.corr.amount.required' })
  .trim()
  .min(1, 'adm.corr.amount.required')
  .max(20, 'adm.corr.amount.invalid')
  .transform((v, ctx) => {
    const m = /^([+\-−–]?)\s*(.*)$/.exec(v)!;
    const k = parseMoney(m[2]);
    if (k === null) {
      ctx.addIssue({ code: 'custom', message: 'adm.corr.amount.invalid' });
      return z.NEVER;
    }
    if (k === 0) {
      ctx.addIssue({ code: 'custom', message: 'adm.corr.amount.zero' });
      return z.NEVER;
    }
    if (k > CORRECTION_MAX_KOPECKS) {
      ctx.addIssue({ code: 'custom', message: 'adm.corr.amount.tooBig' });
      return z.NEVER;
    }
    return m[1] === '' || m[1] === '+' ? (k as number) : -k;
  });

export const correctionForm = z.object({
  contract: contractNumber,
  amount: signedAmount,
  reason: z.string({ error: 'adm.corr.reason.required' }).trim().min(1, 'adm.corr.reason.required').max(REASON_MAX, 'adm.corr.reason.tooLong'),
  confirm: z.string().optional(),
  key: z.string().optional(),
});
export type CorrectionInput = z.output<typeof correctionForm>;
export const correctionKey = z.object({ key: formKey });

export const shiftQuery = z.object({
  day: optionalDay('adm.shift.day.invalid'),
  staff: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^\d{1,9}$/.test(v), 'adm.shift.staff.invalid')
    .transform((v) => (v ? Number(v) : null)),
});
