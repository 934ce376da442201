import pino, { type Logger } from 'pino';

// JSON lines on stdout. Passwords, cookies and tokens never reach the log.
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'kabinet' },
    redact: {
      paths: [
        'req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]',
        'password', '*.password', 'body.password', 'body._csrf', 'code', '*.code',
      ],
      censor: '[скрыто]',
    },
  });
}
