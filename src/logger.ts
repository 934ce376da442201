import pino, { type DestinationStream, type Logger } from 'pino';

// JSON lines on stdout (or the given stream). Passwords, cookies, tokens and codes never reach the log.
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'kabinet' },
    redact: {
      paths: [
        'req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]',
        'password', '*.password', 'body.password', 'body._csrf', 'code', '*.code',
      ],
      censor: '[скрыто]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
