import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';

describe('logs', () => {
  it('never write a password, a cookie, a csrf token or a code', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger('info', sink);
    logger.info(
      { req: { headers: { cookie: 'kabinet.sid=secret-session', authorization: 'Basic c2VjcmV0' } }, password: 'centra2026', body: { password: 'centra2026', _csrf: 'csrf-token-value' }, code: '123456' },
      'request',
    );
    const out = lines.join('');
    expect(out).toContain('[скрыто]');
    expect(out).not.toMatch(/secret-session|c2VjcmV0|centra2026|csrf-token-value|123456/);
  });
});
