// A "ceiling" server for the benchmark: it answers fixed bytes (the app's own responses, fetched once) with
// nothing else on the way, so the app's req/s can be read against what node:http or a bare Express 5 route
// can do on the same machine in the same run.
//   node dist/bench/bare.js <port> <node|express> <routes.json>
// routes.json: [{ "path": "/cabinet", "file": "/tmp/…/dashboard.html", "contentType": "text/html; charset=utf-8" }]
import fs from 'node:fs';
import http from 'node:http';
import express from 'express';

export type BareRoute = { path: string; file: string; contentType: string };
type Loaded = { path: string; body: Buffer; contentType: string };

function load(routesFile: string): Loaded[] {
  const routes = JSON.parse(fs.readFileSync(routesFile, 'utf8')) as BareRoute[];
  return routes.map((r) => ({ path: r.path, body: fs.readFileSync(r.file), contentType: r.contentType }));
}

function nodeServer(routes: Loaded[]): http.Server {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  return http.createServer((req, res) => {
    const route = byPath.get((req.url ?? '/').split('?')[0]);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': route.contentType, 'Content-Length': route.body.length });
    res.end(route.body);
  });
}

function expressServer(routes: Loaded[]): http.Server {
  const app = express();
  for (const r of routes) app.get(r.path, (_req, res) => void res.type(r.contentType).send(r.body));
  return http.createServer(app);
}

function main(): void {
  const [portArg, mode, routesFile] = process.argv.slice(2);
  const port = Number(portArg);
  if (!Number.isInteger(port) || port <= 0 || (mode !== 'node' && mode !== 'express') || !routesFile) {
    process.stderr.write('usage: bare.js <port> <node|express> <routes.json>\n');
    process.exit(2);
  }
  const routes = load(routesFile);
  const server = mode === 'node' ? nodeServer(routes) : expressServer(routes);
  server.listen(port, '127.0.0.1');
  server.on('error', (err) => {
    process.stderr.write(`bare ${mode}: ${err.message}\n`);
    process.exit(1);
  });
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main();
