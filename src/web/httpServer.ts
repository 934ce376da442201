// The HTTP server the app runs in, with limits on slow clients: a request's headers must arrive within
// HEADERS_TIMEOUT_MS and the whole request (body included) within REQUEST_TIMEOUT_MS, else node answers 408 and
// closes the connection (a trickled body held a connection 322 s before). Node checks these every
// connectionsCheckingInterval (30 s by default): a second here, so the cut comes within a second of the limit.
import http from 'node:http';
import type { RequestListener } from 'node:http';
import type { Config } from '../config';

export function createHttpServer(app: RequestListener, config: Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs'>): http.Server {
  return http.createServer(
    { headersTimeout: config.headersTimeoutMs, requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: 1000 },
    app,
  );
}
