// CSRF: a signed double-submit token (csrf-csrf) that needs no stored session, so a visitor's GET of /login,
// /recovery, /connect or /feedback writes nothing to the sessions table (issue 9, point 16). The token is an HMAC
// (SESSION_SECRET) over a random value and the session it belongs to: nothing for a visitor, the session id once
// signed in. It sits in an httpOnly cookie (`__Host-kabinet.csrf` in production) and in the page; a form sends it
// as the _csrf field, htmx as the X-CSRF-Token header (hx-headers). One place per kind of request, never "either".
// A new session id (sign-in, sign-out, the contacts page's password check) makes the old token invalid: renewCsrf()
// issues the next one at once; the cookie-parser middleware must run before (csrf-csrf reads req.cookies).
import crypto from 'node:crypto';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import type { Config } from '../config';

export const CSRF_ERROR_CODE = 'EBADCSRFTOKEN';

export const csrfCookieName = (config: Pick<Config, 'isProduction'>) => (config.isProduction ? '__Host-kabinet.csrf' : 'kabinet.csrf');

/** The staff console has its own cookie (path /admin) and its own idea of a signed-in session (src/admin/session.ts). */
export type CsrfScope = { cookieName: string; path: string; signedIn: (req: Request) => boolean };

export function createCsrf(config: Config, scope: CsrfScope = { cookieName: csrfCookieName(config), path: '/', signedIn: (req) => Boolean(req.user) }) {
  const secret = crypto.createHmac('sha256', config.sessionSecret).update('csrf').digest('hex');
  const { cookieName } = scope;
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req: Request) => (scope.signedIn(req) ? req.sessionID : ''),
    cookieName,
    cookieOptions: { sameSite: 'lax', path: scope.path, secure: config.isProduction, httpOnly: true },
    getCsrfTokenFromRequest: (req: Request) =>
      req.get('HX-Request') === 'true' ? req.get('X-CSRF-Token') : typeof req.body?._csrf === 'string' ? req.body._csrf : undefined,
    errorConfig: { statusCode: 403, message: 'invalid csrf token', code: CSRF_ERROR_CODE },
  });
  // csrf-csrf puts req.csrfToken() on every request; each call without a valid cookie would make another token (and
  // another Set-Cookie), so one page's forms and hx-headers could disagree: one token per request instead.
  // A valid cookie's token is used again as it is, and then the cookie is not sent again: csrf-csrf would repeat the
  // same Set-Cookie on every page (the cookie has no expiry to renew).
  const middleware: RequestHandler = (req, res, next) => {
    doubleCsrfProtection(req, res, (err?: unknown) => {
      if (req.csrfToken) {
        const sendChanged = {
          cookie: (name: string, value: string, options: CookieOptions) => (req.cookies?.[name] === value ? res : res.cookie(name, value, options)),
        } as unknown as Response;
        let value: string | undefined;
        req.csrfToken = (options) => (options?.overwrite ? (value = generateCsrfToken(req, res, options)) : (value ??= generateCsrfToken(req, sendChanged, options)));
      }
      next(err);
    });
  };
  return { middleware, cookieName };
}

/** After the session id changed (sign-in, the contacts page's password check): a token bound to the new id, now. */
export function renewCsrf(req: Request): void {
  req.csrfToken?.({ overwrite: true });
}
