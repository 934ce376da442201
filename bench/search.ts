// The console's «Поиск» on 100 000 contracts (issue 11: ≤ 50 ms p99): an admin signed in, typical queries (a number's
// beginning, a surname, a phone typed the usual way, a street) asked one after another as htmx asks for the results
// fragment, on SQLite and on PostgreSQL with the same large seed. One connection: the time is one operator's wait.
import { bodyText, httpGet, httpRequest, setCookie } from './http';
import { startAppOnPostgres, seedLargePostgres, startPostgres } from './postgres';
import { out, secret, seedLarge, startApp, tempDir, type Child } from './lib';
import { fmt, table, type Check, type Section } from './report';
import path from 'node:path';

const VIA_TLS = { 'X-Forwarded-Proto': 'https' };
export const SEARCH_QUERIES = [
  { kind: 'number prefix', q: '10012' },
  { kind: 'surname', q: 'Семёнов' },
  { kind: 'phone', q: '8 950 862' },
  { kind: 'street', q: 'Металлургов' },
  { kind: 'no match', q: 'Нетакогоабонента' },
];
const REQUESTS = 300;
const WARMUP = 30;

export type SearchRow = { engine: string; kind: string; q: string; rows: number; p50: number; p99: number; max: number };

async function staffCookie(baseUrl: string): Promise<string> {
  const form = await httpGet(`${baseUrl}/admin/login`, VIA_TLS);
  const csrf = setCookie(form, '__Secure-kabinet.staff.csrf');
  const token = /name="_csrf"\s+value="([^"]+)"/.exec(bodyText(form))?.[1];
  if (!csrf || !token) throw new Error(`staff sign-in: GET /admin/login gave ${form.status} without a token`);
  const res = await httpRequest(`${baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrf, ...VIA_TLS },
    body: new URLSearchParams({ _csrf: token, login: 'admin', password: 'admin-demo-2026' }).toString(),
  });
  const sid = setCookie(res, '__Secure-kabinet.staff');
  if (res.status !== 303 || !sid) throw new Error(`staff sign-in failed: ${res.status}`);
  return sid;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

async function measureApp(engine: string, app: Child): Promise<SearchRow[]> {
  const cookie = await staffCookie(app.url);
  const rows: SearchRow[] = [];
  for (const { kind, q } of SEARCH_QUERIES) {
    const url = `${app.url}/admin/contracts?q=${encodeURIComponent(q)}`;
    const headers = { Cookie: cookie, 'HX-Request': 'true', ...VIA_TLS };
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < WARMUP + REQUESTS; i++) {
      const start = process.hrtime.bigint();
      const r = await httpGet(url, headers);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.status !== 200) throw new Error(`search ${kind} on ${engine} answered ${r.status}`);
      if (i >= WARMUP) times.push(ms);
      if (i === 0) found = (bodyText(r).match(/<a href="\/admin\/contracts\/\d+">/g) ?? []).length;
    }
    times.sort((a, b) => a - b);
    rows.push({ engine, kind, q, rows: found, p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times[times.length - 1] });
    out(`  ${engine.padEnd(10)} ${kind.padEnd(14)} ${String(found).padStart(3)} rows  p50 ${fmt(quantile(times, 0.5), 1)} ms  p99 ${fmt(quantile(times, 0.99), 1)} ms`);
  }
  return rows;
}

/** Seeds both engines, starts the app on each, measures; the servers and files are cleaned up by the caller's cleanup(). */
export async function measureSearch(contracts: number): Promise<SearchRow[]> {
  const pepper = secret();
  const dbFile = path.join(tempDir(), 'search.db');
  out(`seeding ${fmt(contracts)} contracts (SQLite) …`);
  await seedLarge({ dbFile, contracts, pepper });
  const sqliteApp = await startApp({ dbFile, pepper });
  const rows = await measureApp('SQLite', sqliteApp);
  await sqliteApp.stop();
  const pg = await startPostgres();
  const url = await pg.database('kabinet_search');
  out(`seeding ${fmt(contracts)} contracts (PostgreSQL) …`);
  await seedLargePostgres({ url, contracts, pepper });
  const pgApp = await startAppOnPostgres({ url, dbFile: path.join(tempDir(), 'unused.db'), pepper });
  rows.push(...(await measureApp('PostgreSQL', pgApp)));
  await pgApp.stop();
  return rows;
}

export const searchChecks = (rows: SearchRow[]): Check[] =>
  rows.map((r) => ({ name: `search p99, ${r.engine}, ${r.kind}`, value: `${fmt(r.p99, 1)} ms`, target: '≤ 50 ms', pass: r.p99 <= 50 }));

export function searchSection(rows: SearchRow[], contracts: number): Section {
  return {
    title: `Console search on ${fmt(contracts)} contracts`,
    markdown: [
      `GET /admin/contracts?q=… as htmx asks for the results fragment (signed in as admin), ${REQUESTS} requests one after another per query after ${WARMUP} warm-up; the time includes HTTP on loopback.`,
      table(['engine', 'query', 'q', 'rows', 'p50 ms', 'p99 ms', 'max ms'], rows.map((r) => [r.engine, r.kind, `\`${r.q}\``, String(r.rows), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.max, 1)]), 3),
    ].join('\n\n'),
  };
}
