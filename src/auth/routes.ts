// «Вход в кабинет»: sign in with the contract number, «Запомнить», «Выйти».
import { Router, type NextFunction, type Request, type Response } from 'express';
import { Strategy as LocalStrategy } from 'passport-local';
import type { PassportStatic } from 'passport';
import { audit } from '../audit/service';
import type { AppContext } from '../context';
import { safeNext } from '../web/auth';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { csrfCookieName, renewCsrf } from '../web/csrf';
import { sessionCookieName, startSignedInSession } from '../web/session';
import { signInForm } from './forms';
import type { AuthService, SignInResult } from './service';

function renderLogin(req: Request, res: Response, status: number, extra: { fieldErrors?: FieldErrors; formError?: string; formErrorParams?: object } = {}) {
  res.status(status).render('auth/login', {
    title: 'auth.title',
    values: typedValues(req.body, ['contract', 'remember']),
    next: safeNext(req.body?.next ?? req.query.next),
    notice: req.query.expired ? 'auth.notice.expired' : req.query.bye ? 'auth.notice.bye' : null,
    fieldErrors: extra.fieldErrors ?? {},
    formError: extra.formError ?? null,
    formErrorParams: extra.formErrorParams ?? {},
  });
}

export function authRoutes(ctx: AppContext, passport: PassportStatic, auth: AuthService): Router {
  passport.use(
    'local',
    new LocalStrategy({ usernameField: 'contract', passwordField: 'password', passReqToCallback: true }, (req, contract, password, done) => {
      auth.signIn({ contract: contract.trim(), password, ip: req.ip ?? '' }).then(
        (r) => (r.kind === 'ok' ? done(null, { contractId: r.contractId }) : done(null, false, { message: r.kind, ...r })),
        done,
      );
    }),
  );

  const router = Router();

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, '/cabinet');
    renderLogin(req, res, 200);
  });

  router.post('/login', (req: Request, res: Response, next: NextFunction) => {
    const form = parseForm(signInForm, req.body);
    if (!form.ok) return renderLogin(req, res, 422, { fieldErrors: form.errors });
    passport.authenticate('local', (err: unknown, user: Express.User | false, info?: SignInResult) => {
      if (err) return next(err);
      if (!user) {
        if (info?.kind === 'throttled') {
          res.set('Retry-After', String(info.retryAfterSeconds));
          return renderLogin(req, res, 429, { formError: 'auth.throttled', formErrorParams: { minutes: Math.ceil(info.retryAfterSeconds / 60) } });
        }
        return renderLogin(req, res, 401, { formError: 'auth.failed' });
      }
      // req.login replaces the session (a new id); what the session keeps is set on the new one.
      req.login(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        startSignedInSession(ctx, req, form.data.remember === '1');
        renewCsrf(req); // the old token was bound to no session
        res.redirect(303, safeNext(req.body.next));
      });
    })(req, res, next);
  });

  router.post('/logout', (req, res, next) => {
    const contractId = req.user?.contractId ?? null;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(async (destroyErr) => {
        if (destroyErr) return next(destroyErr);
        if (contractId) await audit(ctx, { actor: 'subscriber', actorId: contractId, contractId, action: 'logout', ip: req.ip });
        res.clearCookie(sessionCookieName(ctx.config), { path: '/' });
        res.clearCookie(csrfCookieName(ctx.config), { path: '/' }); // the next page issues a visitor's token
        res.redirect(303, '/login?bye=1');
      });
    });
  });

  return router;
}
