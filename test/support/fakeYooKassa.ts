// A fake YooKassa API v3 on 127.0.0.1 for the provider's tests: it checks the Basic auth, the Idempotence-Key and
// the body as the real API documents them, keeps payments and refunds, and can be told to time out or fail.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakePayment = {
  id: string; status: 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled'; amount: { value: string; currency: string };
  description: string; metadata: Record<string, string>; paid: boolean; created_at: string;
  confirmation?: { type: 'redirect'; confirmation_url: string }; payment_method?: Record<string, unknown>;
  cancellation_details?: { party: string; reason: string }; test: boolean;
};
type Recorded = { method: string; path: string; headers: http.IncomingHttpHeaders; body: unknown };

export type FakeYooKassa = {
  url: string; shopId: string; secretKey: string;
  requests: Recorded[];
  payments: Map<string, FakePayment>;
  /**
   * The next POST /payments: 'hang' stores the payment, then answers after `hangMs` (past our timeout); '500', '429'
   * (too many requests) and '400' (a refusal) answer so and store nothing.
   */
  failNext: (how: Fail) => void;
  succeed: (id: string, over?: Partial<FakePayment>) => void;
  cancel: (id: string, reason?: string) => void;
  close: () => Promise<void>;
};

type Fail = 'hang' | '500' | '429' | '400';
const send = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};
const error = (res: http.ServerResponse, status: number, code: string, description: string) =>
  send(res, status, { type: 'error', id: crypto.randomUUID(), code, description });

/** The body of POST /v3/payments against the documented shape; null when fine, or what is wrong. */
function checkPaymentBody(b: Record<string, any>): string | null {
  if (!b || typeof b !== 'object') return 'body is not an object';
  if (!/^\d+\.\d{2}$/.test(b.amount?.value ?? '') || b.amount?.currency !== 'RUB') return 'amount';
  if (b.capture !== true) return 'capture';
  if (typeof b.description !== 'string' || b.description.length > 128) return 'description';
  if (!b.payment_method_id && (b.confirmation?.type !== 'redirect' || !/^https?:\/\//.test(b.confirmation?.return_url ?? ''))) return 'confirmation';
  const r = b.receipt;
  if (!r || !(r.customer?.email || /^7\d{10}$/.test(r.customer?.phone ?? ''))) return 'receipt.customer';
  if (!Array.isArray(r.items) || r.items.length === 0) return 'receipt.items';
  for (const i of r.items) {
    if (!i.description || !i.quantity || i.amount?.value !== b.amount.value || !Number.isInteger(i.vat_code) || !i.payment_mode || !i.payment_subject) return 'receipt.item';
  }
  if (!Number.isInteger(r.tax_system_code)) return 'receipt.tax_system_code';
  return null;
}

export async function startFakeYooKassa(opts: { hangMs?: number } = {}): Promise<FakeYooKassa> {
  const shopId = '123456';
  const secretKey = 'test_secret_key_0123456789';
  const auth = `Basic ${Buffer.from(`${shopId}:${secretKey}`).toString('base64')}`;
  const requests: Recorded[] = [];
  const payments = new Map<string, FakePayment>();
  const byKey = new Map<string, { body: string; payment: FakePayment }>();
  const refunds = new Map<string, Record<string, unknown>>();
  let fail: Fail | null = null;
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        return error(res, 400, 'invalid_request', 'body is not JSON');
      }
      const path = (req.url ?? '').replace(/^\/v3/, '');
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      if (req.headers.authorization !== auth) return error(res, 401, 'invalid_credentials', 'wrong shopId or secret key');
      if (req.method === 'POST') {
        const key = req.headers['idempotence-key'];
        if (typeof key !== 'string' || key.length < 1 || key.length > 64) return error(res, 400, 'invalid_request', 'Idempotence-Key header is required');
        const earlier = byKey.get(`${path}:${key}`);
        if (earlier) {
          if (earlier.body !== raw) return error(res, 400, 'invalid_request', 'the same Idempotence-Key with another body');
          return send(res, 200, path === '/refunds' ? refunds.get(earlier.payment.id) : payments.get(earlier.payment.id));
        }
      }
      if (req.method === 'POST' && path === '/payments') {
        const wrong = checkPaymentBody(body);
        if (wrong) return error(res, 400, 'invalid_request', `bad ${wrong}`);
        if (fail === '500' || fail === '429' || fail === '400') {
          const how = fail;
          fail = null;
          if (how === '429') return error(res, 429, 'too_many_requests', 'too many requests');
          if (how === '400') return error(res, 400, 'invalid_request', 'refused');
          return error(res, 500, 'internal_server_error', 'try later');
        }
        const id = `2f${crypto.randomBytes(6).toString('hex')}-000f-5000-9000-${crypto.randomBytes(6).toString('hex')}`;
        const p: FakePayment = {
          id, status: body.payment_method_id ? 'succeeded' : 'pending', amount: body.amount, description: body.description, metadata: body.metadata ?? {},
          paid: Boolean(body.payment_method_id), created_at: new Date().toISOString(), test: true,
          ...(body.payment_method_id ? { payment_method: { type: 'bank_card', id: body.payment_method_id, saved: true, card: { last4: '1111', card_type: 'MasterCard' } } } : { confirmation: { type: 'redirect', confirmation_url: `https://yoomoney.ru/checkout/payments/v2/contract?orderId=${id}` } }),
        };
        payments.set(id, p);
        byKey.set(`${path}:${String(req.headers['idempotence-key'])}`, { body: raw, payment: p });
        if (fail === 'hang') {
          fail = null;
          const t = setTimeout(() => {
            timers.delete(t);
            send(res, 200, p);
          }, opts.hangMs ?? 3000);
          timers.add(t);
          return;
        }
        return send(res, 200, p);
      }
      const m = /^\/payments\/([\w-]+)$/.exec(path);
      if (req.method === 'GET' && m) {
        const p = payments.get(m[1]);
        return p ? send(res, 200, p) : error(res, 404, 'not_found', 'payment not found');
      }
      if (req.method === 'POST' && path === '/refunds') {
        const p = payments.get(body?.payment_id);
        if (!p || p.status !== 'succeeded') return error(res, 400, 'invalid_request', 'payment not succeeded');
        const r = { id: `rf-${crypto.randomBytes(8).toString('hex')}`, status: 'succeeded', payment_id: p.id, amount: body.amount, created_at: new Date().toISOString() };
        refunds.set(p.id + r.id, r);
        byKey.set(`${path}:${String(req.headers['idempotence-key'])}`, { body: raw, payment: { ...p, id: p.id + r.id } });
        return send(res, 200, r);
      }
      return error(res, 404, 'not_found', `no ${req.method} ${path}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v3`, shopId, secretKey, requests, payments,
    failNext: (how) => {
      fail = how;
    },
    succeed: (id, over = {}) => {
      const p = payments.get(id)!;
      Object.assign(p, { status: 'succeeded', paid: true, payment_method: { type: 'bank_card', id: `pm-${id}`, saved: false, card: { last4: '4444', card_type: 'MasterCard' } } }, over);
      delete p.confirmation;
    },
    cancel: (id, reason = 'insufficient_funds') => {
      const p = payments.get(id)!;
      Object.assign(p, { status: 'canceled', cancellation_details: { party: 'payment_network', reason } });
      delete p.confirmation;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
