// The 54-FZ receipt sent with a card payment (or a refund), and the contact it goes to.
import type { Db } from '../db';
import { toValue, type Receipt } from '../gateway/types';
import { t } from '../web/i18n';
import * as q from './queries';

/** The receipt of a payment (or a refund) for the contract's services. */
export function receiptFor(contractNumber: string, amountKopecks: number, contact: string, cfg: { vatCode: number; taxSystemCode: number }): Receipt {
  return {
    customer: contact.includes('@') ? { email: contact } : { phone: contact },
    items: [{
      description: t('receipt.itemText', { number: contractNumber }), quantity: '1.00', amount: { value: toValue(amountKopecks), currency: 'RUB' },
      vat_code: cfg.vatCode, payment_mode: 'full_prepayment', payment_subject: 'service',
    }],
    tax_system_code: cfg.taxSystemCode,
  };
}

/**
 * The receipt contact: the one the contract gave last (its latest card payment), else its e-mail, else its first phone
 * (as YooKassa wants it, 79…; `asStored` keeps +7… for a form to show). The pay page asks without the last payment.
 */
export async function receiptContactOf(db: Db, contractId: number, opts: { lastPayment?: boolean; asStored?: boolean } = {}): Promise<string | null> {
  if (opts.lastPayment !== false) {
    const last = await q.lastReceiptContact(db, contractId);
    if (last) return last;
  }
  const email = await q.contractEmail(db, contractId);
  if (email) return email;
  const phone = await q.firstPhone(db, contractId);
  if (!phone) return null;
  return opts.asStored ? phone : phone.replace(/^\+/, '');
}

/** The contract's number (the receipt's item and the gateway's description name it). */
export async function contractNumberOf(db: Db, contractId: number): Promise<string> {
  const number = await q.contractNumber(db, contractId);
  if (number === null) throw new Error(`no contract ${contractId}`);
  return number;
}
