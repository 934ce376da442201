// Plain node:http requests for the benchmark: the body is kept as it came over the wire (never decompressed),
// so its length is what a browser would download.
import http from 'node:http';
import zlib from 'node:zlib';

export type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

export function httpRequest(
  url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

export const httpGet = (url: string, headers: Record<string, string> = {}) => httpRequest(url, { headers });

/** The body as text, gunzipped when it came gzipped. */
export function bodyText(r: RawResponse): string {
  return (r.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(r.body) : r.body).toString('utf8');
}

/** `name=value` of a cookie the response sets, or undefined. */
export function setCookie(r: RawResponse, name: string): string | undefined {
  for (const line of r.headers['set-cookie'] ?? []) {
    const pair = line.split(';')[0];
    if (pair.startsWith(name + '=')) return pair;
  }
  return undefined;
}

// The app runs as in production (bench/lib.ts startApp): `__Host-` cookies, Secure, behind a "TLS proxy" (loopback,
// TRUST_PROXY=loopback): the bench says X-Forwarded-Proto: https as the proxy would, or no session cookie is set.
const SESSION_COOKIE = '__Host-kabinet.sid';
const CSRF_COOKIE = '__Host-kabinet.csrf'; // a visitor's GET /login sets only this one (no session row)
const VIA_TLS = { 'X-Forwarded-Proto': 'https' };

/** Signs in the way a browser does: GET /login (CSRF cookie + _csrf), POST the form, expect 303 and a session cookie. */
export async function signIn(baseUrl: string, contract: string, password: string): Promise<string> {
  const form = await httpGet(`${baseUrl}/login`, VIA_TLS);
  const firstCookie = setCookie(form, CSRF_COOKIE);
  const token = /name="_csrf"\s+value="([^"]+)"/.exec(bodyText(form))?.[1];
  if (form.status !== 200 || !firstCookie || !token) throw new Error(`sign-in: GET /login gave ${form.status}, cookie ${firstCookie ? 'set' : 'missing'}, _csrf ${token ? 'found' : 'missing'}`);
  const res = await httpRequest(`${baseUrl}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: firstCookie, ...VIA_TLS },
    body: new URLSearchParams({ _csrf: token, contract, password }).toString(),
  });
  const sid = setCookie(res, SESSION_COOKIE);
  if (res.status !== 303 || !sid) throw new Error(`sign-in as ${contract} failed: POST /login gave ${res.status}${sid ? '' : ' and no new session cookie'}`);
  const csrf = setCookie(res, CSRF_COOKIE); // the token bound to the new session, for the forms of later pages
  const cookie = csrf ? `${sid}; ${csrf}` : sid;
  const check = await httpGet(`${baseUrl}/cabinet`, { Cookie: cookie, ...VIA_TLS });
  if (check.status !== 200) throw new Error(`sign-in as ${contract}: GET /cabinet with the new cookie gave ${check.status}`);
  return cookie;
}

export type FirstLoad = { requests: number; bytes: number; items: Array<{ url: string; status: number; bytes: number; encoding: string }> };

/** Same-origin stylesheets and scripts a page references: <link rel=stylesheet href> and <script src>. */
export function pageAssets(html: string, pageUrl: string): string[] {
  const origin = new URL(pageUrl).origin;
  const attr = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const found: string[] = [];
  for (const [tag] of html.matchAll(/<(?:link|script)\b[^>]*>/gi)) {
    const isScript = /^<script/i.test(tag);
    if (!isScript && !/^stylesheet$/i.test((attr(tag, 'rel')?.slice(1).find((v) => v !== undefined) ?? '').trim())) continue;
    const ref = attr(tag, isScript ? 'src' : 'href')?.slice(1).find((v) => v !== undefined);
    if (!ref) continue;
    const url = new URL(ref, pageUrl);
    if (url.origin === origin && !found.includes(url.href)) found.push(url.href);
  }
  return found;
}

/** What a first visit downloads: the page and its CSS/JS, gzip accepted, body bytes as sent. */
export async function firstLoad(pageUrl: string, cookie: string): Promise<FirstLoad> {
  const headers = { 'Accept-Encoding': 'gzip', Cookie: cookie };
  const page = await httpGet(pageUrl, headers);
  if (page.status !== 200) throw new Error(`first load: ${pageUrl} gave ${page.status}`);
  const items = [{ url: pageUrl, status: page.status, bytes: page.body.length, encoding: String(page.headers['content-encoding'] ?? 'identity') }];
  for (const url of pageAssets(bodyText(page), pageUrl)) {
    const r = await httpGet(url, headers);
    if (r.status !== 200) throw new Error(`first load: ${url} gave ${r.status}`);
    items.push({ url, status: r.status, bytes: r.body.length, encoding: String(r.headers['content-encoding'] ?? 'identity') });
  }
  return { requests: items.length, bytes: items.reduce((sum, i) => sum + i.bytes, 0), items };
}
