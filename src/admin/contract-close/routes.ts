// «Закрыть договор»: GET the form (or, for a closed contract, what its closing left); POST checks the form and shows
// the check page; POST with confirm closes and answers 303 back to GET, which then shows the result.
import { Router, type Response } from 'express';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import { NotFound } from '../../web/errors';
import type { MessageKey } from '../../web/i18n';
import { actorOf, requireStaff } from '../session';
import { closeForm } from './forms';
import { createContractCloseService, outcomeOf, type ContractCloseService } from './service';

const idOf = (raw: string) => {
  if (!/^\d{1,9}$/.test(raw)) throw new NotFound();
  return Number(raw);
};

async function renderForm(res: Response, svc: ContractCloseService, id: number, status: number, extra: { values?: Record<string, string>; fieldErrors?: FieldErrors; errorParams?: Record<string, string> } = {}) {
  const contract = await svc.contract(id);
  if (contract.status === 'closed') return renderClosed(res, contract, status === 200 ? 200 : 409, status !== 200);
  res.status(status).render('admin/contract-close/form', {
    title: 'adm.close.title', contract, maxDays: svc.maxDaysAhead,
    values: extra.values ?? { day: svc.today(), reason: '' }, fieldErrors: extra.fieldErrors ?? {}, errorParams: extra.errorParams ?? {},
  });
}

function renderClosed(res: Response, contract: Awaited<ReturnType<ContractCloseService['contract']>>, status: number, again: boolean) {
  res.status(status).render('admin/contract-close/closed', { title: 'adm.close.done.title', contract, outcome: outcomeOf(contract.balance_kopecks), again });
}

export function contractCloseRoutes(ctx: AppContext, _services: Services): Router {
  const svc = createContractCloseService(ctx);
  const router = Router();
  const guard = requireStaff(ctx, 'contractsEdit');

  router.get('/admin/contracts/:id/close', guard, async (req, res) => {
    await renderForm(res, svc, idOf(String(req.params.id)), 200);
  });

  router.post('/admin/contracts/:id/close', guard, async (req, res) => {
    const id = idOf(String(req.params.id));
    const values = typedValues(req.body, ['day', 'reason']);
    const form = parseForm(closeForm, req.body);
    if (!form.ok) return renderForm(res, svc, id, 422, { values, fieldErrors: form.errors });
    const problem = svc.dayProblem(form.data.day);
    if (problem) return renderForm(res, svc, id, 422, { values, fieldErrors: { day: problem.key }, errorParams: problem.params });
    if (form.data.confirm !== '1') {
      const p = await svc.preview(id, form.data.day);
      if (p.contract.status === 'closed') return renderClosed(res, p.contract, 409, true);
      return res.render('admin/contract-close/check', { title: 'adm.close.check.title', ...p, closedOn: form.data.day, reason: form.data.reason });
    }
    const r = await svc.close(actorOf(req), id, form.data);
    if (r.kind === 'invalid') return renderForm(res, svc, id, 422, { values, fieldErrors: { day: r.problem.key as MessageKey }, errorParams: r.problem.params });
    if (r.kind === 'already') return renderClosed(res, await svc.contract(id), 409, true);
    res.redirect(303, `/admin/contracts/${id}/close`);
  });

  return router;
}
