// Errors that carry an HTTP status and a message from the catalogue. Anything else is a programmer error:
// logged with the request id and shown as the 500 page, which reveals nothing.
import type { MessageKey } from './i18n';

export class HttpError extends Error {
  constructor(readonly status: number, readonly messageKey: MessageKey, readonly params: Record<string, string | number> = {}) {
    super(messageKey);
  }
}
export class BadRequest extends HttpError {
  constructor(key: MessageKey = 'error.badRequest', params?: Record<string, string | number>) {
    super(400, key, params);
  }
}
export class Forbidden extends HttpError {
  constructor(key: MessageKey = 'error.forbidden') {
    super(403, key);
  }
}
export class NotFound extends HttpError {
  constructor(key: MessageKey = 'error.notFound') {
    super(404, key);
  }
}
export class Conflict extends HttpError {
  constructor(key: MessageKey = 'error.conflict') {
    super(409, key);
  }
}
export class TooManyRequests extends HttpError {
  constructor(readonly retryAfterSeconds: number, key: MessageKey = 'error.tooMany') {
    super(429, key, { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) });
  }
}
