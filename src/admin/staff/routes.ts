// «Сотрудники» (admin only): the list, a new account, disable/enable, role, a new password. A generated password is
// rendered straight from the POST that made it, never stored nor put in a URL: shown once.
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../context';
import {
  changeStaffRole, createStaff, resetStaffPasswordBy, setStaffEnabled, staffList, STAFF_ROLES, StaffInputError, type StaffChange,
} from '../../staff/service';
import { typedValues, type FieldErrors } from '../../web/forms';
import type { MessageKey } from '../../web/i18n';
import { NotFound } from '../../web/errors';
import { actorOf, requireStaff } from '../session';

const DONE = ['disabled', 'enabled', 'role'] as const;

const idParam = (req: Request): number => {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFound();
  return id;
};

async function renderList(ctx: AppContext, req: Request, res: Response, status = 200, problem: MessageKey | null = null) {
  const done = DONE.find((d) => d === req.query.done) ?? null;
  res.status(status).render('admin/staff/index', {
    title: 'adm.staff.title', rows: await staffList(ctx), roles: STAFF_ROLES, problem,
    done: done ? { key: `adm.staff.done.${done}`, login: String(req.query.login ?? '').slice(0, 40) } : null,
  });
}

const renderNew = (res: Response, status: number, values: Record<string, string>, fieldErrors: FieldErrors = {}) =>
  res.status(status).render('admin/staff/new', { title: 'adm.staff.new', roles: STAFF_ROLES, values, fieldErrors });

const FIELD_OF: Record<string, [string, MessageKey]> = {
  login: ['login', 'adm.staff.error.login'], taken: ['login', 'adm.staff.error.taken'], name: ['name', 'adm.staff.error.name'], role: ['role', 'adm.staff.error.role'],
};

export function staffRoutes(ctx: AppContext): Router {
  const router = Router();
  const guard = requireStaff(ctx, 'staff');

  router.get('/admin/staff', guard, (req, res) => renderList(ctx, req, res));
  router.get('/admin/staff/new', guard, (_req, res) => renderNew(res, 200, { login: '', name: '', role: 'cashier' }));

  router.post('/admin/staff/new', guard, async (req, res) => {
    const values = typedValues(req.body, ['login', 'name', 'role']);
    try {
      const s = await createStaff(ctx, { login: values.login, name: values.name, role: values.role }, actorOf(req));
      res.render('admin/staff/password', { title: 'adm.staff.password.title', message: 'adm.staff.password.created', login: s.login, password: s.password });
    } catch (err) {
      const field = err instanceof StaffInputError ? FIELD_OF[err.problem] : undefined;
      if (!field) throw err;
      renderNew(res, 422, values, { [field[0]]: field[1] });
    }
  });

  const answer = (req: Request, res: Response, r: StaffChange, done: (typeof DONE)[number], login: string) => {
    if (r.ok) return res.redirect(303, `/admin/staff?done=${done}&login=${encodeURIComponent(login)}`);
    if (r.problem === 'missing') throw new NotFound();
    return renderList(ctx, req, res, r.problem === 'role' ? 422 : 409, `adm.staff.problem.${r.problem}`);
  };
  const loginOf = async (id: number) => (await staffList(ctx)).find((s) => s.id === id)?.login ?? '';

  router.post('/admin/staff/:id/disable', guard, async (req, res) => {
    const id = idParam(req);
    return answer(req, res, await setStaffEnabled(ctx, actorOf(req), id, false), 'disabled', await loginOf(id));
  });
  router.post('/admin/staff/:id/enable', guard, async (req, res) => {
    const id = idParam(req);
    return answer(req, res, await setStaffEnabled(ctx, actorOf(req), id, true), 'enabled', await loginOf(id));
  });
  router.post('/admin/staff/:id/role', guard, async (req, res) => {
    const id = idParam(req);
    return answer(req, res, await changeStaffRole(ctx, actorOf(req), id, String(req.body?.role ?? '')), 'role', await loginOf(id));
  });

  router.post('/admin/staff/:id/password', guard, async (req, res) => {
    const r = await resetStaffPasswordBy(ctx, actorOf(req), idParam(req));
    if (!r.ok) {
      if (r.problem === 'missing') throw new NotFound();
      return renderList(ctx, req, res, 409, 'adm.staff.problem.self');
    }
    res.render('admin/staff/password', { title: 'adm.staff.password.title', message: 'adm.staff.password.reset', login: r.login, password: r.password });
  });

  return router;
}
