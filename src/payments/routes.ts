// «История платежей»: htmx swaps the table and pushes the address; the same address is a whole page. And the
// receipt of a card payment.
import { Router } from 'express';
import { requireSubscriber } from '../web/auth';
import { NotFound } from '../web/errors';
import { parseForm, typedValues } from '../web/forms';
import { renderPageOrFragment } from '../web/htmx';
import { historyQuery } from './forms';
import { PAGE_SIZE, type PaymentsService } from './service';

const VIEWS = { page: 'payments/index', fragment: 'payments/_history' };

export function paymentsRoutes(payments: PaymentsService): Router {
  const router = Router();
  router.get('/cabinet/payments', requireSubscriber, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const values = typedValues(req.query, ['from', 'to']);
    const query = parseForm(historyQuery, req.query);
    if (!query.ok) {
      return renderPageOrFragment(req, res, VIEWS, { title: 'history.title', values, fieldErrors: query.errors, history: null }, 422);
    }
    const history = await payments.history(req.user!.contractId, query.data);
    // Date inputs show only ISO days: give back 24.11.2026 as 2026-11-24.
    const shown = { from: query.data.from ?? '', to: query.data.to ?? '' };
    renderPageOrFragment(req, res, VIEWS, { title: 'history.title', values: shown, history, query: query.data, pageSize: PAGE_SIZE });
  });

  router.get('/cabinet/receipt/:id', requireSubscriber, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const id = String(req.params.id);
    if (!/^\d{1,9}$/.test(id)) throw new NotFound();
    const shown = await payments.receipt(req.user!.contractId, Number(id));
    if (!shown) throw new NotFound();
    res.render('payments/receipt', { title: 'receipt.title', ...shown });
  });
  return router;
}
