// Sessions live in the sessions table (connect-session-knex over the app's own knex instance).
// Without «Запомнить» the cookie has no expiry (it ends with the browser) and the session ends after
// SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS after sign-in however active; with it, the
// cookie and the session end SESSION_REMEMBER_DAYS after sign-in: never moved forward by later requests (ASVS 7.3.2).
// In production the cookie is `__Host-kabinet.sid`: Secure, path /, no domain.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { Config } from '../config';
import type { AppContext } from '../context';
import type { Db } from '../db';
import { readSession, setSessionContract } from './queries';
import { renewCsrf } from './csrf';

export const sessionCookieName = (config: Pick<Config, 'isProduction'>) => (config.isProduction ? '__Host-kabinet.sid' : 'kabinet.sid');
const LAST_SEEN_RESOLUTION_MS = 60_000; // write lastSeenAt at most once a minute, not on every request

declare module 'express-session' {
  interface SessionData {
    remember?: boolean;
    lastSeenAt?: number;
    /** When the subscriber signed in (ms): the absolute lifetime counts from here. */
    signedInAt?: number;
    passport?: { user?: SessionUser };
    /** Set at sign-in for the sessions page: the client address and browser. */
    ip?: string;
    userAgent?: string;
  }
}
/** `viewer`: a staff member's read-only view of this contract's cabinet (src/cabinet-view). */
export type SessionUser = { contractId: number; viewer?: { staffId: number; staffName: string; viewId: number; number: string } };

class SessionStore extends ConnectSessionKnexStore {
  constructor(private readonly db: Db, options: ConstructorParameters<typeof ConnectSessionKnexStore>[0]) {
    super({ ...options, knex: db });
  }

  // Read on every request: a prepared statement instead of knex (hotGet); writes stay with the library.
  override async get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): Promise<session.SessionData | null> {
    try {
      const row = await readSession(this.db, sid, new Date());
      // SQLite keeps the JSON as text; PostgreSQL's json column arrives parsed.
      const data = row ? ((typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess) as session.SessionData) : null;
      callback(null, data);
      return data;
    } catch (err) {
      callback(err);
      return null;
    }
  }

  // The contract id goes into its own indexed column too, so that the sessions page and «end all other sessions»
  // find a contract's sessions without reading every row. A staff member's read-only view is not the subscriber's
  // session: null there, so the subscriber's sessions page neither lists nor ends it.
  override async set(sid: string, sess: session.SessionData, callback?: (err?: unknown) => void): Promise<void> {
    try {
      await super.set(sid, sess);
      await setSessionContract(this.db, sid, sess.passport?.user?.viewer ? null : (sess.passport?.user?.contractId ?? null));
      callback?.();
    } catch (err) {
      if (callback) callback(err);
      else throw err;
    }
  }

  // The store's expiry is set whenever the session is saved; a touch on every request would be a write on
  // every request for nothing, since the cookie's own expiry does not move (rolling is off).
  override async touch(_sid: string, _session: session.SessionData, callback?: () => void): Promise<void> {
    callback?.();
  }
}

/**
 * The sessions table as express-session's store. One per session middleware (express-session gives its store the
 * middleware's cookie settings): the staff console has its own (src/admin/session.ts).
 */
export const sessionStore = (ctx: AppContext): session.Store =>
  new SessionStore(ctx.db, { tableName: 'sessions', createTable: false, cleanupInterval: 0 } /* expired rows go in the scheduler's tick */);

export function sessionMiddleware(ctx: AppContext): RequestHandler {
  const store = sessionStore(ctx);
  return session({
    name: sessionCookieName(ctx.config),
    secret: ctx.config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: undefined, // follows Express's trust proxy
    cookie: { httpOnly: true, sameSite: 'lax', secure: ctx.config.isProduction ? true : 'auto', path: '/' },
  });
}

/** When a signed-in session ends however active: SESSION_REMEMBER_DAYS or SESSION_ABSOLUTE_HOURS after sign-in. */
export function sessionEndsAt(config: Config, s: { remember?: boolean; signedInAt?: number }): number {
  return (s.signedInAt ?? 0) + (s.remember ? config.sessionRememberMs : config.sessionAbsoluteMs);
}

/**
 * A remembered session's cookie and store expiry stay where sign-in put them. express-session's touch() on every
 * save sets cookie.expires to now + maxAge (so Expires and the store's `expired` would slide forward with every
 * request that changes the session): this session's touch keeps the fixed date instead. Call it at sign-in, and on
 * every request (pinRememberExpiry) for a session loaded from the store.
 */
export function pinExpiry(config: Config, s: session.Session & Partial<session.SessionData>): void {
  if (!s.remember) return;
  const until = new Date(sessionEndsAt(config, s));
  s.cookie.expires = until;
  s.resetMaxAge = function resetMaxAge() {
    this.cookie.expires = until;
    return this;
  };
}

export function pinRememberExpiry(ctx: AppContext): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.session?.remember) pinExpiry(ctx.config, req.session);
    next();
  };
}

/** What sign-in writes into the new session (passport's req.login or a recovery's end). */
export function startSignedInSession(ctx: AppContext, req: Request, remember: boolean): void {
  const now = ctx.clock.now().getTime();
  req.session.remember = remember;
  req.session.signedInAt = now;
  req.session.lastSeenAt = now;
  req.session.ip = req.ip ?? '';
  req.session.userAgent = (req.get('user-agent') ?? '').slice(0, 300);
  if (remember) pinExpiry(ctx.config, req.session);
  else req.session.cookie.expires = undefined; // a browser-session cookie
}

/** Ends a signed-in session that stayed idle too long or outlived its absolute lifetime; keeps lastSeenAt fresh otherwise. */
export function idleTimeout(ctx: AppContext): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const s = req.session;
    if (!s?.passport?.user) return next();
    const now = ctx.clock.now().getTime();
    const last = s.lastSeenAt ?? 0;
    // A session from before signedInAt was kept has no sign-in time: it ends now, as if it were too old.
    if ((!s.remember && now - last > ctx.config.sessionIdleMs) || now >= sessionEndsAt(ctx.config, s)) {
      res.locals.sessionExpired = true;
      return s.regenerate((err) => next(err));
    }
    if (now - last > LAST_SEEN_RESOLUTION_MS) s.lastSeenAt = now;
    next();
  };
}

/** The session's data as express-session compares it (without the cookie). */
const snapshot = (s: unknown) => (s ? JSON.stringify(s, (key, value: unknown) => (key === 'cookie' ? undefined : value)) : '');

type Answer = (err: unknown, req: Request, res: Response, next: NextFunction) => void;

/**
 * Saves a changed session before the answer goes out, not after: express-session saves at res.end, once the
 * headers and the page are written, so a failed save (a full or read-only disk) could only reset the socket, and
 * the next form then failed its CSRF check («Страница устарела»). Here a failed save drops the answer and hands the
 * error to `answer` (the error handler: 503 «Сервис временно недоступен»), and that answer saves no session.
 * Mounted right after sessionMiddleware. A session saved here is not saved again by express-session (except a new
 * one, which express-session writes once more: the same row).
 */
export function saveSessionFirst(answer: Answer): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const before = snapshot(req.session);
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    let saving = false;
    let saveFailed = false;
    res.end = function endAfterSave(this: Response, ...args: unknown[]) {
      const s = req.session as session.Session | undefined;
      if (res.locals.storageFailed || saveFailed) {
        // An answer about the storage itself: no session is saved with it (express-session skips a missing one).
        delete (req as { session?: unknown }).session;
        return end(...args);
      }
      if (saving || res.headersSent || !s || snapshot(s) === before) return end(...args);
      saving = true;
      s.save((err) => {
        if (!err) {
          end(...args);
          return;
        }
        saveFailed = true;
        for (const name of res.getHeaderNames()) if (name !== 'x-request-id') res.removeHeader(name);
        answer(err, req, res, () => res.destroy());
      });
      return res;
    } as Response['end'];
    next();
  };
}

/**
 * A new session id keeping the session's data (remember, sign-in time, the signed-in contract ...): the old row is
 * deleted. The CSRF token was bound to the old id: a fresh one is issued.
 */
export function renewSession(ctx: AppContext, req: Request): Promise<void> {
  const data = JSON.parse(JSON.stringify(req.session)) as Record<string, unknown>;
  delete data.cookie;
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      Object.assign(req.session, data);
      pinExpiry(ctx.config, req.session);
      renewCsrf(req);
      resolve();
    });
  });
}
