// Synchroniser token in the session (csrf-sync). A form sends it as the _csrf field; htmx sends it as the
// X-CSRF-Token header (hx-headers on <body>). One place per kind of request, never "either".
import type { Request } from 'express';
import { csrfSync } from 'csrf-sync';

export const CSRF_ERROR_CODE = 'EBADCSRFTOKEN';

export const csrf = csrfSync({
  getTokenFromRequest: (req: Request) =>
    req.get('HX-Request') === 'true' ? req.get('X-CSRF-Token') : typeof req.body?._csrf === 'string' ? req.body._csrf : undefined,
  errorConfig: { statusCode: 403, message: 'invalid csrf token', code: CSRF_ERROR_CODE },
});
