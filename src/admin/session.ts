// The staff console's own session, apart from a subscriber's: its own cookie (path /admin), its own CSRF cookie, the
// same sessions table. Signing in as staff never signs a browser in as a subscriber, nor the other way round.
// Every console request loads the staff member afresh (loadStaff): a disabled account, a changed role or a password
// reset by an admin takes effect on the next request; idle and absolute timeouts are the subscribers' settings.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { AppContext } from '../context';
import { createCsrf } from '../web/csrf';
import { sessionStore } from '../web/session';
import { Forbidden } from '../web/errors';
import { auditStaff } from '../audit/service';
import { staffById } from './auth/queries';
import { can, type Area } from './roles';

export type StaffUser = { id: number; login: string; name: string; role: string };

declare module 'express-session' {
  interface SessionData {
    /** A signed-in staff member (console sessions only). */
    staff?: { id: number; signedInAt: number; lastSeenAt: number };
  }
}
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in staff member of a console request, loaded by loadStaff. */
      staff?: StaffUser;
    }
  }
}

export const ADMIN_PATH = '/admin';
export const staffCookieName = (config: { isProduction: boolean }) => (config.isProduction ? '__Secure-kabinet.staff' : 'kabinet.staff');

export function staffSessionMiddleware(ctx: AppContext): RequestHandler {
  return session({
    name: staffCookieName(ctx.config),
    secret: ctx.config.sessionSecret,
    store: sessionStore(ctx),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: ctx.config.isProduction ? true : 'auto', path: ADMIN_PATH },
  });
}

export const staffCsrf = (ctx: AppContext) =>
  createCsrf(ctx.config, {
    cookieName: ctx.config.isProduction ? '__Secure-kabinet.staff.csrf' : 'kabinet.staff.csrf',
    path: ADMIN_PATH,
    signedIn: (req) => Boolean(req.session?.staff),
  });

const LAST_SEEN_RESOLUTION_MS = 60_000;

/** Puts the signed-in staff member on req.staff, or ends a session that is idle, too old, disabled or superseded. */
export function loadStaff(ctx: AppContext): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const s = req.session?.staff;
    if (!s) return next();
    const now = ctx.clock.now().getTime();
    const row = await staffById(ctx.db, s.id);
    const superseded = row?.password_changed_at ? Date.parse(row.password_changed_at) > s.signedInAt : false;
    let ended: 'expired' | 'disabled' | null = null;
    if (!row || !row.active || superseded) ended = 'disabled';
    else if (now - s.lastSeenAt > ctx.config.sessionIdleMs || now - s.signedInAt >= ctx.config.sessionAbsoluteMs) ended = 'expired';
    if (ended) {
      res.locals.staffSessionEnded = ended;
      return req.session.regenerate((err) => next(err));
    }
    if (now - s.lastSeenAt > LAST_SEEN_RESOLUTION_MS) s.lastSeenAt = now;
    req.staff = { id: row!.id, login: row!.login, name: row!.name, role: row!.role };
    next();
  };
}

/** Who did it, from where: what the console's services take instead of the request. */
export const actorOf = (req: Request) => ({ staffId: req.staff!.id, ip: req.ip ?? '' });

/**
 * The guard of every console page and POST: signed in (else to the sign-in page, back here after), and the role may
 * open this area (else 403; a refused POST is written to the audit with what was tried).
 */
export function requireStaff(ctx: AppContext, area: Area): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.staff) {
      const ended = res.locals.staffSessionEnded as string | undefined;
      const login = ended ? `/admin/login?${ended}=1` : `/admin/login?next=${encodeURIComponent(req.originalUrl)}`;
      if (req.get('HX-Request') === 'true') {
        res.set('HX-Redirect', login).status(401).end();
        return;
      }
      return res.redirect(303, login);
    }
    if (can(req.staff.role, area)) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      await auditStaff(ctx, actorOf(req), { action: 'staff_forbidden', detail: { method: req.method, path: req.originalUrl.split('?')[0].slice(0, 200), area } });
    }
    next(new Forbidden('admin.forbidden'));
  };
}
