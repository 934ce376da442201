// The sandbox gateway's payment page, /sandbox/pay/:id: clearly a test page. Pay, decline or leave it hanging;
// on pay or decline it sends our notification endpoint what YooKassa would send (over HTTP, to this same server),
// then returns the subscriber to the payment's return_url. Works without JavaScript (plain forms).
import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import type { AppContext } from '../context';
import { BadRequest, NotFound } from '../web/errors';
import * as q from './queries';
import type { SandboxPaymentRow } from './queries';
import { sandboxPaymentObject } from './sandbox';

export function sandboxRoutes(ctx: AppContext): Router {
  const router = Router();
  const publicUrl = ctx.config.publicUrl;
  router.use('/sandbox', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  /** The payment, shown only to its own contract's session: another contract's session or none gets 404 «не найден». */
  const load = async (req: Request) => {
    const id = String(req.params.id);
    if (!req.user || !/^sbx-[\w-]{1,60}$/.test(id)) throw new NotFound('sandbox.notFound');
    const row = await q.sandboxPayment(ctx.db, id);
    if (!row || !row.return_url) throw new NotFound('sandbox.notFound');
    if ((await q.sandboxPaymentContract(ctx.db, row.metadata)) !== req.user.contractId) throw new NotFound('sandbox.notFound');
    return row;
  };
  /** Only a page of the portal: a return_url pointing elsewhere is never followed. */
  const safeReturn = (row: SandboxPaymentRow) => {
    if (!row.return_url?.startsWith(`${publicUrl}/`)) throw new BadRequest();
    return row.return_url;
  };

  /** The notification, exactly as YooKassa sends it, to this process's own listening address (loopback). */
  async function sendNotification(req: Request, row: SandboxPaymentRow) {
    const card = row.payment_method_id ? await q.sandboxCard(ctx.db, row.payment_method_id) : null;
    // Loopback when the server listens there or on every interface; else the address it listens on.
    const own = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const host = ['0.0.0.0', '::', '127.0.0.1', 'localhost', '::1'].includes(ctx.config.host) ? '127.0.0.1' : own;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${req.socket.localPort}/payments/notifications`;
    const body = { type: 'notification', event: `payment.${row.status}`, object: sandboxPaymentObject(row, card ?? null, publicUrl) };
    try {
      const res = await fetch(url, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(ctx.config.payments.timeoutMs),
      });
      if (!res.ok) ctx.logger.warn({ status: res.status, payment: row.id }, 'sandbox: our notification endpoint did not accept the notification');
    } catch (err) {
      ctx.logger.warn({ err, payment: row.id }, 'sandbox: could not deliver the notification; the return page and reconciliation settle the payment');
    }
  }

  router.get('/sandbox/pay/:id', async (req, res) => {
    const row = await load(req);
    res.render('sandbox/pay', { title: 'sandbox.title', sandboxPayment: row, returnUrl: safeReturn(row) });
  });

  router.post('/sandbox/pay/:id', async (req, res) => {
    const row = await load(req);
    const returnUrl = safeReturn(row);
    const action = req.body?.action;
    if (action !== 'pay' && action !== 'decline' && action !== 'leave') throw new BadRequest();
    if (action === 'leave' || row.status !== 'pending') return res.redirect(303, returnUrl);
    const now = ctx.clock.now().toISOString();
    const update: Partial<SandboxPaymentRow> = { updated_at: now, status: action === 'pay' ? 'succeeded' : 'canceled' };
    if (action === 'pay') {
      const cardId = `sbc-${crypto.randomUUID()}`;
      await q.insertSandboxCard(ctx.db, { id: cardId, last4: '4242', status: 'ok', created_at: now });
      update.payment_method_id = cardId;
    } else {
      update.cancellation_reason = 'insufficient_funds';
    }
    const changed = await q.finishSandboxPayment(ctx.db, row.id, update);
    if (changed) await sendNotification(req, { ...row, ...update } as SandboxPaymentRow);
    res.redirect(303, returnUrl);
  });
  return router;
}
