// Issue 9, point 19: a client that trickles its request is cut off at HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS
// (a trickled body held a connection 322 s before). The app inside the same http.Server the process runs.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { createHttpServer } from '../../src/web/httpServer';
import { makeTestApp, type TestApp } from '../support/app';

jest.setTimeout(30_000);

let t: TestApp;
let server: http.Server;
let port: number;
beforeAll(async () => {
  t = await makeTestApp({ HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000' });
  server = createHttpServer(t.app, t.ctx.config);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

/** Sends `head` at once, then one byte of `drip` every 100 ms; resolves when the server ends the connection. */
function trickle(head: string, drip: string): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let i = 0;
    const timer = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(drip[i++ % drip.length]);
    }, 100);
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - started, answer });
    });
    socket.write(head);
  });
}

describe('slow clients', () => {
  it('cuts off a trickled body within REQUEST_TIMEOUT_MS (2 s here), with a 408', async () => {
    const head = 'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n';
    const r = await trickle(head, 'contract=1&');
    expect(r.ms).toBeGreaterThanOrEqual(1900);
    expect(r.ms).toBeLessThan(2000 + 2500); // the limit, node's 1 s check, a busy machine
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off trickled headers within HEADERS_TIMEOUT_MS (1 s here)', async () => {
    const r = await trickle('GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(r.ms).toBeGreaterThanOrEqual(900);
    expect(r.ms).toBeLessThan(1000 + 2500);
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('sets the limits from config on the server the process listens with', () => {
    expect(server.headersTimeout).toBe(1000);
    expect(server.requestTimeout).toBe(2000);
  });
});
