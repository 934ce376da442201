// «Импорт реестра» (/admin/registers), its preview and «Провести», «Неразнесённые платежи» with «Разнести» and
// «Вернуть плательщику». The upload's multipart body is read by upload.ts before the CSRF check.
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import type { Services } from '../../services';
import { BadRequest } from '../../web/errors';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import type { MessageKey } from '../../web/i18n';
import { actorOf, requireStaff } from '../session';
import { assignForm, idParam, returnForm } from './forms';
import { createRegistersService } from './service';
import { REGISTER_MAX_BYTES } from './upload';

const idOf = (raw: unknown) => {
  const r = idParam.safeParse(raw);
  if (!r.success) throw new BadRequest();
  return r.data;
};

export function registersRoutes(ctx: AppContext, _services: Services): Router {
  const registers = createRegistersService(ctx);
  const router = Router();
  const guard = requireStaff(ctx, 'registers');
  const maxMb = Math.round(REGISTER_MAX_BYTES / 1024 / 1024);

  async function renderIndex(res: Response, status: number, formError: MessageKey | null = null) {
    const [list, unmatchedCount] = await Promise.all([registers.list(), registers.countUnmatched()]);
    res.status(status).render('admin/registers/index', {
      title: 'adm.reg.title', list, unmatchedCount, formError, maxMb,
      fieldErrors: formError ? { file: formError } : {},
    });
  }

  router.get('/admin/registers', guard, (_req, res) => renderIndex(res, 200));

  router.post('/admin/registers', guard, async (req, res) => {
    if (req.registerUploadProblem === 'tooLarge') return renderIndex(res, 413, 'adm.reg.problem.tooLarge');
    if (req.registerUploadProblem || !req.file) return renderIndex(res, 422, req.registerUploadProblem ? 'adm.reg.problem.badUpload' : 'adm.reg.file.required');
    const r = await registers.upload(actorOf(req), { name: req.file.originalname, bytes: req.file.buffer });
    if (!r.ok) return renderIndex(res, 422, `adm.reg.problem.${r.problem}` as MessageKey);
    res.redirect(303, `/admin/registers/${r.registerId}`);
  });

  async function renderUnmatched(req: Request, res: Response, status: number, error: { rowId: number; action: 'assign' | 'return'; fieldErrors: FieldErrors } | null = null) {
    const rows = await registers.unmatched();
    res.status(status).render('admin/registers/unmatched', {
      title: 'adm.reg.unmatched.title', rows, error,
      values: error ? typedValues(req.body, ['contract', 'note']) : {},
      fieldErrors: error?.fieldErrors ?? {},
      done: ['assigned', 'duplicate', 'returned'].find((d) => d === req.query.done) ?? null,
    });
  }

  router.get('/admin/registers/unmatched', guard, (req, res) => renderUnmatched(req, res, 200));

  router.get('/admin/registers/:id', guard, async (req, res) => {
    const view = await registers.show(idOf(req.params.id));
    const notice = req.query.applied ? 'adm.reg.applied' : req.query.already ? 'adm.reg.alreadyApplied' : null;
    res.render('admin/registers/show', { title: 'adm.reg.show.title', ...view, notice });
  });

  router.post('/admin/registers/:id/apply', guard, async (req, res) => {
    const id = idOf(req.params.id);
    const r = await registers.apply(actorOf(req), id);
    res.redirect(303, `/admin/registers/${id}?${r.applied ? 'applied' : 'already'}=1`);
  });

  router.post('/admin/registers/rows/:id/assign', guard, async (req, res) => {
    const rowId = idOf(req.params.id);
    const form = parseForm(assignForm, req.body);
    if (!form.ok) return renderUnmatched(req, res, 422, { rowId, action: 'assign', fieldErrors: form.errors });
    const r = await registers.assign(actorOf(req), rowId, form.data.contract);
    if (!r.ok) return renderUnmatched(req, res, 422, { rowId, action: 'assign', fieldErrors: { contract: `adm.reg.assign.${r.problem}` as MessageKey } });
    res.redirect(303, `/admin/registers/unmatched?done=${r.created ? 'assigned' : 'duplicate'}`);
  });

  router.post('/admin/registers/rows/:id/return', guard, async (req, res) => {
    const rowId = idOf(req.params.id);
    const form = parseForm(returnForm, req.body);
    if (!form.ok) return renderUnmatched(req, res, 422, { rowId, action: 'return', fieldErrors: form.errors });
    await registers.returnToPayer(actorOf(req), rowId, form.data.note);
    res.redirect(303, '/admin/registers/unmatched?done=returned');
  });

  return router;
}
