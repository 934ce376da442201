// Passport keeps only the contract id in the session (and, for a staff member's read-only view, who views it); a guard lets signed-in subscribers through.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import passport from 'passport';
import type { SessionUser } from './session';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}

export function configurePassport(): passport.PassportStatic {
  const p = new passport.Passport();
  p.serializeUser((user, done) => done(null, user.viewer ? { contractId: user.contractId, viewer: user.viewer } : { contractId: user.contractId }));
  p.deserializeUser((stored: SessionUser, done) => done(null, stored && Number.isInteger(stored.contractId) ? stored : false));
  return p as unknown as passport.PassportStatic;
}

/** Where to go back after signing in: only a path of this site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) ? next : '/cabinet';
}

export const requireSubscriber: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  if (req.user) return next();
  const login = res.locals.sessionExpired ? '/login?expired=1' : `/login?next=${encodeURIComponent(req.originalUrl)}`;
  if (req.get('HX-Request') === 'true') {
    res.set('HX-Redirect', login).status(401).end();
    return;
  }
  res.redirect(303, login);
};
