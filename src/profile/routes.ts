// «Профиль» pages: contacts (after the password again), subscriptions, notices, sessions; and the public pages a
// link in an e-mail opens: confirm a new address, unsubscribe (the one-click POST has no session and no CSRF
// token: the HMAC-signed token in its address is the proof, RFC 8058).
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../context';
import { countryNames, maskPhone } from '../lib/phone';
import { TOPICS } from '../notifications/notify';
import { CHANNELS, MARKETING, readUnsubscribeToken, saveGrid, subscriptionGrid, unsubscribeEmail, type Grid } from '../notifications/subscriptions';
import { requireSubscriber } from '../web/auth';
import { parseForm, typedValues, type FieldErrors } from '../web/forms';
import { renderPageOrFragment, wantsFragment } from '../web/htmx';
import type { MessageKey } from '../web/i18n';
import { NEW_PASSWORD_MAX, NEW_PASSWORD_MIN } from '../recovery/passwordRules';
import { changePasswordForm, emailForm, noticeForm, phoneCodeForm, phoneForm, reauthForm, removePhoneForm, sessionForm } from './forms';
import { renewSession } from '../web/session';
import { contractIdExists } from './queries';
import { REAUTH_MINUTES, type ProfileService } from './service';

declare module 'express-session' {
  interface SessionData {
    /** When the subscriber last entered the current password again (the contacts page opens for REAUTH_MINUTES). */
    reauthAt?: number;
    /** The new phone waiting for its code. */
    phoneChange?: { id: number; masked: string };
  }
}

const OK_MESSAGES: Record<string, MessageKey> = {
  phoneAdded: 'prof.ok.phoneAdded', phoneRemoved: 'prof.ok.phoneRemoved', emailSent: 'prof.ok.emailSent', saved: 'prof.ok.saved',
  ended: 'prof.ok.ended', endedOthers: 'prof.ok.endedOthers', codeSent: 'prof.ok.codeSent', passwordChanged: 'prof.ok.passwordChanged',
  read: 'prof.ok.read',
};
const okOf = (req: Request): MessageKey | null => (typeof req.query.ok === 'string' ? (OK_MESSAGES[req.query.ok] ?? null) : null);

export function profileRoutes(ctx: AppContext, profile: ProfileService): Router {
  const router = Router();
  router.use('/cabinet/profile', requireSubscriber, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  const me = (req: Request) => req.user!.contractId;
  const newPhoneForm = phoneForm(ctx.config.phoneAllowedCountries);
  /** After a change: a 303 to the page without JavaScript; with htmx the section's fragment right away (same status text). */
  const done = (req: Request, res: Response, url: string, fragment: () => Promise<void> | void) => (wantsFragment(req) ? fragment() : res.redirect(303, url));
  const reauthed = (req: Request) => (req.session.reauthAt ?? 0) + REAUTH_MINUTES * 60_000 > ctx.clock.now().getTime();

  router.get('/cabinet/profile', async (req, res) => {
    res.render('profile/index', { title: 'prof.title', unread: await profile.unreadCount(me(req)), ok: okOf(req) });
  });

  // ---- «Сменить пароль» ----
  const renderPassword = (req: Request, res: Response, status = 200, fieldErrors: FieldErrors = {}, formError: MessageKey | null = null) =>
    renderPageOrFragment(req, res, { page: 'profile/password', fragment: 'profile/_password' }, {
      title: 'prof.password', htmx: true, fieldErrors, formError, params: { min: NEW_PASSWORD_MIN, max: NEW_PASSWORD_MAX },
    }, status);
  router.get('/cabinet/profile/password', (req, res) => renderPassword(req, res));
  router.post('/cabinet/profile/password', async (req, res) => {
    const form = parseForm(changePasswordForm, req.body);
    if (!form.ok) return renderPassword(req, res, 422, form.errors);
    const { current, password, password2 } = form.data;
    const r = await profile.changePassword(me(req), current, password, password2, req.sessionID, req.ip ?? '');
    if (r.kind === 'throttled') return renderPassword(req, res, 429, {}, 'prof.password.throttled');
    if (r.kind === 'bad') {
      const errors: FieldErrors = {};
      if (r.wrongCurrent) errors.current = 'prof.password.wrong';
      if (r.problem) errors[r.problem === 'mismatch' ? 'password2' : 'password'] = `rec.password.${r.problem}` as MessageKey;
      return renderPassword(req, res, r.wrongCurrent ? 401 : 422, errors);
    }
    // This session stays signed in under a new id (ASVS 7.2.4); what it holds (sign-in, «Запомнить», its cookie's
    // expiry) is carried over, and a fresh CSRF token bound to the new id is issued (renewSession).
    await renewSession(ctx, req);
    const url = '/cabinet/profile?ok=passwordChanged';
    if (wantsFragment(req)) return void res.set('HX-Redirect', url).status(200).end();
    res.redirect(303, url);
  });

  // ---- contacts ----
  type ContactsExtra = { status?: number; fieldErrors?: FieldErrors; values?: Record<string, string>; formError?: MessageKey | null; ok?: MessageKey };
  /** The contacts page, or its #contacts fragment for htmx: the password form until it is entered again, then the contacts. */
  async function renderContacts(req: Request, res: Response, extra: ContactsExtra = {}) {
    const views = { page: 'profile/contacts', fragment: 'profile/_contacts' };
    const common = {
      title: 'prof.contacts', htmx: true, fieldErrors: extra.fieldErrors ?? {}, formError: extra.formError ?? null,
      errorParams: { countries: countryNames(ctx.config.phoneAllowedCountries) },
    };
    if (!reauthed(req)) return renderPageOrFragment(req, res, views, { ...common, reauthed: false }, extra.status ?? 200);
    const c = await profile.contacts(me(req));
    const pendingEmail = c.pending.find((p) => p.kind === 'email') ?? null;
    renderPageOrFragment(req, res, views, {
      ...common, reauthed: true, ...c, pendingEmail, phoneChange: req.session.phoneChange ?? null, ok: extra.ok ?? okOf(req), values: extra.values ?? {},
      focusPhones: req.query.focus === 'phones' && !extra.status,
    }, extra.status ?? 200);
  }
  router.get('/cabinet/profile/contacts', (req, res) => renderContacts(req, res));
  // The changes are POST only; the same address opened in the browser shows the page.
  router.get(['/cabinet/profile/contacts/reauth', '/cabinet/profile/contacts/phone', '/cabinet/profile/contacts/phone/confirm', '/cabinet/profile/contacts/phone/remove', '/cabinet/profile/contacts/email'],
    (_req, res) => res.redirect(303, '/cabinet/profile/contacts'));
  router.get(['/cabinet/profile/sessions/end', '/cabinet/profile/sessions/end-others'], (_req, res) => res.redirect(303, '/cabinet/profile/sessions'));
  router.get('/cabinet/profile/notices/read', (_req, res) => res.redirect(303, '/cabinet/profile/notices'));

  router.post('/cabinet/profile/contacts/reauth', async (req, res) => {
    const form = parseForm(reauthForm, req.body);
    if (!form.ok) return renderContacts(req, res, { status: 422, fieldErrors: form.errors });
    const r = await profile.reauth(me(req), form.data.password, req.ip ?? '');
    if (r === 'throttled') return renderContacts(req, res, { status: 429, formError: 'prof.reauth.throttled' });
    if (r === 'wrong') return renderContacts(req, res, { status: 401, fieldErrors: { password: 'prof.reauth.wrong' } });
    // ASVS 7.2.4: a new session id once the password was entered again, with the session's data kept and a fresh
    // CSRF token. The page in the browser still holds the old token (forms, hx-headers): htmx reloads the page.
    await renewSession(ctx, req);
    req.session.reauthAt = ctx.clock.now().getTime();
    // ?focus=phones: the reloaded page puts focus on «Телефоны», where the person goes on (with and without JS).
    const next = '/cabinet/profile/contacts?focus=phones';
    if (wantsFragment(req)) return void res.set('HX-Redirect', next).status(200).end();
    res.redirect(303, next);
  });

  /** Every change needs a fresh password: without it, back to the password form. */
  const guarded = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    if (!reauthed(req)) return renderContacts(req, res, { status: 401 });
    await handler(req, res);
  };

  router.post('/cabinet/profile/contacts/phone', guarded(async (req, res) => {
    const values = typedValues(req.body, ['phone']);
    const form = parseForm(newPhoneForm, req.body);
    if (!form.ok) return renderContacts(req, res, { status: 422, fieldErrors: form.errors, values });
    const r = await profile.startPhone(me(req), form.data.phone, req.ip ?? '');
    if (r.kind === 'exists') return renderContacts(req, res, { status: 422, fieldErrors: { phone: 'prof.phone.exists' }, values });
    if (r.kind === 'tooMany') return renderContacts(req, res, { status: 422, fieldErrors: { phone: 'prof.phone.tooMany' }, values });
    if (r.kind === 'limit') return renderContacts(req, res, { status: 429, fieldErrors: { phone: 'prof.limit' }, values });
    req.session.phoneChange = { id: r.changeId, masked: maskPhone(form.data.phone) };
    await done(req, res, '/cabinet/profile/contacts?ok=codeSent', () => renderContacts(req, res, { ok: 'prof.ok.codeSent' }));
  }));

  router.post('/cabinet/profile/contacts/phone/confirm', guarded(async (req, res) => {
    const form = parseForm(phoneCodeForm, req.body);
    if (!form.ok) return renderContacts(req, res, { status: 422, fieldErrors: { code: form.errors.code ?? form.errors.change ?? 'prof.code.gone' } });
    if (req.session.phoneChange?.id !== form.data.change) return renderContacts(req, res, { status: 410, fieldErrors: { code: 'prof.code.gone' } });
    const r = await profile.confirmPhone(me(req), form.data.change, form.data.code, req.ip ?? '');
    if (r === 'wrong') return renderContacts(req, res, { status: 422, fieldErrors: { code: 'rec.code.wrong' } });
    req.session.phoneChange = undefined;
    if (r === 'gone') return renderContacts(req, res, { status: 410, formError: 'prof.code.gone' });
    await done(req, res, '/cabinet/profile/contacts?ok=phoneAdded', () => renderContacts(req, res, { ok: 'prof.ok.phoneAdded' }));
  }));

  router.post('/cabinet/profile/contacts/phone/remove', guarded(async (req, res) => {
    const form = parseForm(removePhoneForm, req.body);
    if (!form.ok) return renderContacts(req, res, { status: 422, formError: 'error.badRequest' });
    const r = await profile.removePhone(me(req), form.data.phone, req.ip ?? '');
    if (r === 'last') return renderContacts(req, res, { status: 409, formError: 'prof.phone.last' });
    if (r === 'gone') return renderContacts(req, res, { status: 404, formError: 'prof.phone.gone' });
    await done(req, res, '/cabinet/profile/contacts?ok=phoneRemoved', () => renderContacts(req, res, { ok: 'prof.ok.phoneRemoved' }));
  }));

  router.post('/cabinet/profile/contacts/email', guarded(async (req, res) => {
    const values = typedValues(req.body, ['email']);
    const form = parseForm(emailForm, req.body);
    if (!form.ok) return renderContacts(req, res, { status: 422, fieldErrors: form.errors, values });
    const r = await profile.startEmail(me(req), form.data.email, req.ip ?? '');
    if (r === 'same') return renderContacts(req, res, { status: 422, fieldErrors: { email: 'prof.email.same' }, values });
    if (r === 'limit') return renderContacts(req, res, { status: 429, fieldErrors: { email: 'prof.limit' }, values });
    await done(req, res, '/cabinet/profile/contacts?ok=emailSent', () => renderContacts(req, res, { ok: 'prof.ok.emailSent' }));
  }));

  // The link in the e-mail: GET only shows a button (mail scanners open links), POST confirms.
  router.get('/email/confirm', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const link = await profile.emailLink(req.query.token);
    res.status(link ? 200 : 410).render('profile/emailConfirm', { title: 'prof.email.confirm.title', link, token: link ? String(req.query.token) : '', done: false });
  });
  router.post('/email/confirm', async (req, res) => {
    const ok = await profile.confirmEmail(req.body?.token, req.ip ?? '');
    res.status(ok ? 200 : 410).render('profile/emailConfirm', { title: 'prof.email.confirm.title', link: null, token: '', done: ok });
  });

  // ---- subscriptions ----
  const renderSubscriptions = async (req: Request, res: Response, ok: MessageKey | null) =>
    renderPageOrFragment(req, res, { page: 'profile/subscriptions', fragment: 'profile/_subscriptions' }, {
      title: 'prof.subs', htmx: true, grid: await subscriptionGrid(ctx.db, me(req)), topics: TOPICS, channels: CHANNELS, marketing: MARKETING, ok,
    });
  router.get('/cabinet/profile/subscriptions', (req, res) => renderSubscriptions(req, res, okOf(req)));
  router.post('/cabinet/profile/subscriptions', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const grid = Object.fromEntries(TOPICS.map((t) => [t, Object.fromEntries(CHANNELS.map((c) => [c, body[`${t}.${c}`] === '1']))])) as Grid;
    await saveGrid(ctx, me(req), grid);
    await done(req, res, '/cabinet/profile/subscriptions?ok=saved', () => renderSubscriptions(req, res, 'prof.ok.saved'));
  });

  // ---- notices ----
  // Opening the page marks nothing read: a cross-site link could hide «Пароль изменён». A POST does (one or all).
  const renderNotices = async (req: Request, res: Response, ok: MessageKey | null, status = 200) =>
    renderPageOrFragment(req, res, { page: 'profile/notices', fragment: 'profile/_notices' }, { title: 'prof.notices', htmx: true, notices: await profile.notices(me(req)), ok }, status);
  router.get('/cabinet/profile/notices', (req, res) => renderNotices(req, res, okOf(req)));
  router.post('/cabinet/profile/notices/read', async (req, res) => {
    const form = parseForm(noticeForm, req.body);
    if (!form.ok) return renderNotices(req, res, null, 422); // an id that is not a number: nothing marked
    await profile.markRead(me(req), form.data.notice);
    await done(req, res, '/cabinet/profile/notices?ok=read', () => renderNotices(req, res, 'prof.ok.read'));
  });

  // ---- sessions ----
  const renderSessions = async (req: Request, res: Response, ok: MessageKey | null, status = 200, formError: MessageKey | null = null) =>
    renderPageOrFragment(req, res, { page: 'profile/sessions', fragment: 'profile/_sessions' }, {
      title: 'prof.sessions', htmx: true, sessions: await profile.sessions(me(req), req.sessionID), ok, formError,
    }, status);
  router.get('/cabinet/profile/sessions', (req, res) => renderSessions(req, res, okOf(req)));
  router.post('/cabinet/profile/sessions/end', async (req, res) => {
    const form = parseForm(sessionForm, req.body);
    const ok = form.ok && (await profile.endSession(me(req), req.sessionID, form.data.session, req.ip ?? ''));
    if (!ok) return renderSessions(req, res, null, 404, 'prof.session.gone');
    await done(req, res, '/cabinet/profile/sessions?ok=ended', () => renderSessions(req, res, 'prof.ok.ended'));
  });
  router.post('/cabinet/profile/sessions/end-others', async (req, res) => {
    await profile.endOtherSessions(me(req), req.sessionID, req.ip ?? '');
    await done(req, res, '/cabinet/profile/sessions?ok=endedOthers', () => renderSessions(req, res, 'prof.ok.endedOthers'));
  });

  return router;
}

/**
 * One-click unsubscribe (RFC 8058). The POST is mounted before the CSRF check: a mail client's POST carries no session
 * and no CSRF token; the HMAC-signed token in the address is the proof. It answers with a redirect to the GET page,
 * which is mounted with the other pages and says whether e-mail on that topic is off.
 */
export function unsubscribePostRoute(ctx: AppContext): Router {
  const router = Router();
  router.post('/unsubscribe', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : req.body?.token;
    const r = readUnsubscribeToken(ctx.config.sessionSecret, token);
    if (!r) return res.redirect(303, '/unsubscribe?token=bad');
    if (await contractIdExists(ctx.db, r.contractId)) await unsubscribeEmail(ctx, r.contractId, r.topic);
    res.redirect(303, `/unsubscribe?token=${encodeURIComponent(String(token))}`);
  });
  return router;
}

export function unsubscribePage(ctx: AppContext): Router {
  const router = Router();
  const topicName = (topic: string) => (topic === 'all' ? 'prof.unsub.all' : `prof.topic.${topic}`) as MessageKey;
  router.get('/unsubscribe', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const r = readUnsubscribeToken(ctx.config.sessionSecret, req.query.token);
    if (!r) return res.status(400).render('profile/unsubscribe', { title: 'prof.unsub.title', valid: false, done: false, token: '', topic: null });
    const grid = await subscriptionGrid(ctx.db, r.contractId);
    const done = r.topic === 'all' ? TOPICS.every((t) => !grid[t].email) : !grid[r.topic].email;
    res.render('profile/unsubscribe', { title: 'prof.unsub.title', valid: true, done, token: String(req.query.token), topic: topicName(r.topic) });
  });
  return router;
}
