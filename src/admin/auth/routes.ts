// «Вход для сотрудников» (/admin/login), «Выйти», «Сменить пароль». A new session id at sign-in and after the
// staff member's own password change; the CSRF token is issued again for it.
import { Router, type Request, type Response } from 'express';
import { promisify } from 'node:util';
import type { AppContext } from '../../context';
import { safeNext } from '../../web/auth';
import { renewCsrf } from '../../web/csrf';
import { parseForm, typedValues, type FieldErrors } from '../../web/forms';
import type { MessageKey } from '../../web/i18n';
import { actorOf, ADMIN_PATH, requireStaff, staffCookieName } from '../session';
import { ownPasswordForm, staffSignInForm } from './forms';
import type { StaffAuthService } from './service';

const adminNext = (next: unknown) => {
  const path = safeNext(next);
  return path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`) ? path : ADMIN_PATH;
};

function renderLogin(req: Request, res: Response, status: number, extra: { fieldErrors?: FieldErrors; formError?: MessageKey; minutes?: number } = {}) {
  const q = req.query;
  const notice: MessageKey | null = res.locals.staffSessionEnded === 'disabled' || q.disabled ? 'admin.login.disabled'
    : res.locals.staffSessionEnded === 'expired' || q.expired ? 'admin.login.expired' : q.bye ? 'admin.login.bye' : null;
  res.status(status).render('admin/auth/login', {
    title: 'admin.login.title',
    values: typedValues(req.body, ['login']),
    next: adminNext(req.body?.next ?? q.next),
    notice,
    fieldErrors: extra.fieldErrors ?? {},
    formError: extra.formError ?? null,
    minutes: extra.minutes ?? 0,
  });
}

export function staffAuthRoutes(ctx: AppContext, auth: StaffAuthService): Router {
  const router = Router();

  router.get('/admin/login', (req, res) => {
    if (req.staff) return res.redirect(303, ADMIN_PATH);
    renderLogin(req, res, 200);
  });

  router.post('/admin/login', async (req, res) => {
    const form = parseForm(staffSignInForm, req.body);
    if (!form.ok) return renderLogin(req, res, 422, { fieldErrors: form.errors });
    const r = await auth.signIn({ login: form.data.login, password: form.data.password, ip: req.ip ?? '' });
    if (r.kind === 'throttled') {
      res.set('Retry-After', String(r.retryAfterSeconds));
      return renderLogin(req, res, 429, { formError: 'admin.login.throttled', minutes: Math.ceil(r.retryAfterSeconds / 60) });
    }
    if (r.kind === 'failed') return renderLogin(req, res, 401, { formError: 'admin.login.failed' });
    await promisify(req.session.regenerate.bind(req.session))();
    const now = ctx.clock.now().getTime();
    req.session.staff = { id: r.staffId, signedInAt: now, lastSeenAt: now };
    renewCsrf(req);
    res.redirect(303, adminNext(req.body.next));
  });

  router.post('/admin/logout', async (req, res) => {
    await promisify(req.session.destroy.bind(req.session))();
    res.clearCookie(staffCookieName(ctx.config), { path: ADMIN_PATH });
    res.redirect(303, '/admin/login?bye=1');
  });

  const renderPassword = (res: Response, status: number, extra: { fieldErrors?: FieldErrors; done?: boolean } = {}) =>
    res.status(status).render('admin/auth/password', { title: 'admin.password.title', fieldErrors: extra.fieldErrors ?? {}, done: Boolean(extra.done) });

  router.get('/admin/password', requireStaff(ctx, 'home'), (req, res) => renderPassword(res, 200, { done: req.query.done === '1' }));

  router.post('/admin/password', requireStaff(ctx, 'home'), async (req, res) => {
    const form = parseForm(ownPasswordForm, req.body);
    if (!form.ok) return renderPassword(res, 422, { fieldErrors: form.errors });
    const r = await auth.changeOwnPassword({ ...actorOf(req), login: req.staff!.login }, form.data);
    if (!r.ok) {
      const key = (r.problem === 'wrong' ? 'admin.password.wrongCurrent' : `rec.password.${r.problem}`) as MessageKey;
      return renderPassword(res, 422, { fieldErrors: { [r.field === 'current' ? 'current' : r.problem === 'mismatch' ? 'repeat' : 'password']: key } });
    }
    // Sessions signed in before the change end (loadStaff); this one goes on under a new id.
    const data = req.session.staff!;
    await promisify(req.session.regenerate.bind(req.session))();
    const now = ctx.clock.now().getTime() + 1;
    req.session.staff = { ...data, signedInAt: now, lastSeenAt: now };
    renewCsrf(req);
    res.redirect(303, '/admin/password?done=1');
  });

  return router;
}
