// The HTTP server the app runs in, with limits on slow clients: a request's headers must arrive within
// HEADERS_TIMEOUT_MS and the whole request (body included) within REQUEST_TIMEOUT_MS, else node answers 408 and
// closes the connection (a trickled body held a connection 322 s before). Node checks these every
// connectionsCheckingInterval (30 s by default): a second here, so the cut comes within a second of the limit.
//
// Requests and responses are built with the Express app's prototypes from the start. Express sets app.request and
// app.response as the prototype of every req and res it takes (Object.setPrototypeOf); in V8 an object whose
// prototype was set that way gets a hidden class that records no transitions, so each of the ~40 properties the
// middleware adds afterwards (session, passport, logging, routing) made new hidden classes on every request, and
// no property read on req or res ever settled. Here app.request and app.response become the prototypes of two
// subclasses of IncomingMessage and ServerResponse (same properties, same chain), node:http builds its objects
// with those, and Express's setPrototypeOf finds the prototype already in place and changes nothing.
import http from 'node:http';
import type { RequestListener } from 'node:http';
import type { Config } from '../config';

type ExpressPrototypes = { request?: object; response?: object };

/** A subclass of `base` whose prototype has `expressPrototype`'s own properties and the chain above it. */
function subclassFor<C extends typeof http.IncomingMessage | typeof http.ServerResponse>(base: C, expressPrototype: object): C {
  const Made = class extends (base as typeof http.IncomingMessage) {};
  Object.setPrototypeOf(Made.prototype, Object.getPrototypeOf(expressPrototype));
  Object.defineProperties(Made.prototype, Object.getOwnPropertyDescriptors(expressPrototype));
  return Made as unknown as C;
}

export function createHttpServer(app: RequestListener, config: Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs'>): http.Server {
  const options: http.ServerOptions = { headersTimeout: config.headersTimeoutMs, requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: 1000 };
  const prototypes = app as RequestListener & ExpressPrototypes;
  if (prototypes.request && prototypes.response) {
    const Request = subclassFor(http.IncomingMessage, prototypes.request);
    const Response = subclassFor(http.ServerResponse, prototypes.response);
    prototypes.request = Request.prototype;
    prototypes.response = Response.prototype;
    options.IncomingMessage = Request;
    options.ServerResponse = Response;
  }
  return http.createServer(options, app);
}
