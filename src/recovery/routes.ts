// «Не помните пароль?» pages: /recover (contract number) -> /recover/phones (pick a phone) -> /recover/code (enter
// the code) -> /recover/password (new password twice) -> signed in. Plain forms that work without JavaScript;
// with htmx each step replaces #recover. The attempt's token travels in a hidden field.
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { renderPageOrFragment, wantsFragment } from '../web/htmx';
import { startSignedInSession } from '../web/session';
import type { MessageKey } from '../web/i18n';
import { codeForm, findForm, passwordForm, phoneForm } from './forms';
import { NEW_PASSWORD_MAX, NEW_PASSWORD_MIN } from './passwordRules';
import type { RecoveryService } from './service';

type Step = 'find' | 'phones' | 'none' | 'code' | 'password';
type Locals = {
  step: Step; token?: string; phones?: string[]; maskedPhone?: string; phoneIndex?: number; values?: Record<string, string>;
  fieldErrors?: FieldErrors; formError?: MessageKey | null; params?: Record<string, string | number>; notice?: MessageKey | null;
};

export function recoveryRoutes(ctx: AppContext, recovery: RecoveryService): Router {
  const router = Router();
  router.use('/recover', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  const show = (req: Request, res: Response, status: number, l: Locals) =>
    renderPageOrFragment(req, res, { page: 'recovery/page', fragment: 'recovery/_step' }, {
      title: 'recover.title', htmx: true, token: '', phones: [], maskedPhone: '', phoneIndex: 0, values: {}, fieldErrors: {}, formError: null, notice: null,
      ...l, // a step's own params (tries left, seconds to wait) add to the common ones, never replace them
      params: { min: NEW_PASSWORD_MIN, max: NEW_PASSWORD_MAX, minutes: ctx.config.recovery.codeMinutes, ...l.params },
    }, status);
  const gone = (req: Request, res: Response, key: MessageKey = 'rec.gone') => show(req, res, 410, { step: 'find', formError: key });
  const throttled = (req: Request, res: Response, seconds: number) => {
    res.set('Retry-After', String(seconds));
    show(req, res, 429, { step: 'find', formError: 'rec.throttled', params: { minutes: Math.ceil(seconds / 60) } });
  };

  router.get('/recover', (req, res) => show(req, res, 200, { step: 'find' }));
  // The steps are POST only; an address typed or bookmarked starts again.
  router.get(['/recover/code', '/recover/verify', '/recover/password'], (_req, res) => res.redirect(303, '/recover'));

  router.post('/recover', async (req, res) => {
    const values = typedValues(req.body, ['contract']);
    const form = parseForm(findForm, req.body);
    if (!form.ok) return show(req, res, 422, { step: 'find', values, fieldErrors: form.errors });
    const r = await recovery.find(form.data.contract, req.ip ?? '');
    if (r.kind === 'throttled') return throttled(req, res, r.retryAfterSeconds);
    if (r.kind === 'none') return show(req, res, 200, { step: 'none', values });
    show(req, res, 200, { step: 'phones', token: r.token, phones: r.phones });
  });

  router.post('/recover/code', async (req, res) => {
    const form = parseForm(phoneForm, req.body);
    if (!form.ok && form.errors.attempt) return gone(req, res);
    const r = await recovery.sendCode(req.body.attempt, form.ok ? form.data.phone : null, req.ip ?? '');
    switch (r.kind) {
      case 'gone': return gone(req, res);
      case 'badPhone': return show(req, res, 422, { step: 'phones', token: r.token, phones: r.phones, fieldErrors: { phone: 'rec.phone.choose' } });
      case 'daily': return show(req, res, 429, { step: 'find', formError: 'rec.daily' });
      case 'throttled': return throttled(req, res, r.retryAfterSeconds);
      case 'wait':
        res.set('Retry-After', String(r.seconds));
        return show(req, res, 429, { step: 'code', token: r.token, maskedPhone: r.phone, phoneIndex: r.phoneIndex, formError: 'rec.wait', params: { seconds: r.seconds } });
      case 'sent': return show(req, res, 200, { step: 'code', token: r.token, maskedPhone: r.phone, phoneIndex: r.phoneIndex, notice: 'rec.code.sent' });
    }
  });

  router.post('/recover/verify', async (req, res) => {
    const form = parseForm(codeForm, req.body);
    const again = async (status: number, l: Partial<Locals>) => {
      const sent = await recovery.codePhone(req.body.attempt); // from the database, never from the form
      if (!sent) return gone(req, res);
      show(req, res, status, { step: 'code', token: String(req.body.attempt), maskedPhone: sent.phone, phoneIndex: sent.phoneIndex, ...l });
    };
    if (!form.ok) {
      if (form.errors.attempt) return gone(req, res);
      return again(422, { fieldErrors: { code: form.errors.code! } });
    }
    const r = await recovery.verify(form.data.attempt, form.data.code, req.ip ?? '');
    switch (r.kind) {
      case 'ok': return show(req, res, 200, { step: 'password', token: r.token });
      case 'gone': return gone(req, res);
      case 'ended': return gone(req, res, 'rec.ended');
      case 'used': return gone(req, res, 'rec.code.used');
      case 'noCode': return gone(req, res);
      case 'expired': return again(422, { fieldErrors: { code: 'rec.code.expired' } });
      case 'wrong': return again(422, { fieldErrors: { code: 'rec.code.wrong' }, params: { left: r.left } });
    }
  });

  router.post('/recover/password', async (req, res, next) => {
    const form = parseForm(passwordForm, req.body);
    if (!form.ok && form.errors.attempt) return gone(req, res);
    const password = typeof req.body.password === 'string' ? req.body.password : '';
    const repeat = typeof req.body.password2 === 'string' ? req.body.password2 : '';
    const r = await recovery.reset(req.body.attempt, password, repeat, req.ip ?? '');
    if (r.kind === 'gone') return gone(req, res);
    if (r.kind === 'bad') {
      const field = r.problem === 'mismatch' ? 'password2' : 'password';
      return show(req, res, 422, { step: 'password', token: String(req.body.attempt), fieldErrors: { [field]: `rec.password.${r.problem}` as MessageKey } });
    }
    // A new session id for the signed-in subscriber (passport's req.login regenerates the session).
    req.login({ contractId: r.contractId }, (err) => {
      if (err) return next(err);
      startSignedInSession(ctx, req, false);
      req.session.save((saveErr) => {
        if (saveErr) return next(saveErr);
        if (wantsFragment(req)) return res.set('HX-Redirect', '/cabinet?recovered=1').status(200).end();
        res.redirect(303, '/cabinet?recovered=1');
      });
    });
  });

  return router;
}
