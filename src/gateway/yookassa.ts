// YooKassa API v3 over fetch: Basic auth shopId:secretKey, an Idempotence-Key on every POST, a timeout on every
// call. The API's address comes from config, so the tests point it at a fake YooKassa on 127.0.0.1.
import type { Config } from '../config';
import { GatewayError, toValue, type CreatePayment, type Gateway, type GatewayPayment, type GatewayRefund } from './types';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' ? (v as Raw) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** YooKassa's payment object -> ours. Throws GatewayError when the answer is not a payment. */
export function parsePayment(raw: unknown): GatewayPayment {
  const p = obj(raw);
  const amount = obj(p.amount);
  const status = str(p.status);
  if (!str(p.id) || !status || !['pending', 'waiting_for_capture', 'succeeded', 'canceled'].includes(status) || !str(amount.value) || !str(amount.currency)) {
    throw new GatewayError('unavailable', 'the gateway answered with something that is not a payment');
  }
  const pm = obj(p.payment_method);
  const card = obj(pm.card);
  const mask = str(card.last4) ? `${str(card.card_type) ?? 'Карта'} •••• ${str(card.last4)}` : str(pm.title);
  const cd = obj(p.cancellation_details);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(p.metadata))) if (typeof v === 'string') metadata[k] = v;
  return {
    id: str(p.id)!,
    status: status as GatewayPayment['status'],
    amount: { value: str(amount.value)!, currency: str(amount.currency)! },
    paid: p.paid === true,
    confirmationUrl: str(obj(p.confirmation).confirmation_url),
    paymentMethod: str(pm.id) ? { id: str(pm.id)!, saved: pm.saved === true, mask } : null,
    metadata,
    cancellation: str(cd.reason) ? { party: str(cd.party) ?? '', reason: str(cd.reason)! } : null,
  };
}

/** The body of POST /v3/payments, as YooKassa documents it. */
export function paymentBody(req: CreatePayment): Raw {
  return {
    amount: { value: toValue(req.amountKopecks), currency: 'RUB' },
    capture: true,
    description: req.description,
    metadata: req.metadata,
    receipt: req.receipt,
    ...(req.paymentMethodId
      ? { payment_method_id: req.paymentMethodId }
      : { confirmation: { type: 'redirect', return_url: req.returnUrl }, ...(req.savePaymentMethod ? { save_payment_method: true } : {}) }),
  };
}

export function createYooKassa(config: Config['payments']): Gateway {
  const { shopId, secretKey, apiUrl } = config.yookassa;
  const auth = `Basic ${Buffer.from(`${shopId}:${secretKey}`).toString('base64')}`;

  async function call(method: 'GET' | 'POST', path: string, body?: Raw, idempotenceKey?: string): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          Authorization: auth,
          Accept: 'application/json',
          ...(body ? { 'Content-Type': 'application/json' } : {}),
          ...(idempotenceKey ? { 'Idempotence-Key': idempotenceKey } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (err) {
      const name = (err as Error)?.name;
      throw new GatewayError(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unavailable', `YooKassa ${method} ${path}: ${String(err)}`);
    }
    let json: unknown = null;
    try {
      json = await res.json();
    } catch (err) {
      if (res.ok) throw new GatewayError('unavailable', `YooKassa ${method} ${path}: the answer is not JSON (${String(err)})`, res.status);
    }
    // 429 (too many requests) and 5xx: not an answer about the payment; the same request is sent again later, same key.
    if (res.status >= 500 || res.status === 429) throw new GatewayError('unavailable', `YooKassa ${method} ${path} answered ${res.status}`, res.status);
    return { status: res.status, json };
  }

  const refused = (path: string, status: number, json: unknown) => {
    const e = obj(json);
    return new GatewayError('refused', `YooKassa ${path} answered ${status}: ${str(e.code) ?? ''} ${str(e.description) ?? ''}`.trim(), status);
  };

  return {
    name: 'yookassa',
    async createPayment(req) {
      const r = await call('POST', '/payments', paymentBody(req), req.idempotenceKey);
      if (r.status !== 200) throw refused('POST /payments', r.status, r.json);
      return parsePayment(r.json);
    },
    async getPayment(id) {
      if (!/^[\w-]{1,64}$/.test(id)) return null;
      const r = await call('GET', `/payments/${encodeURIComponent(id)}`);
      if (r.status === 404) return null;
      if (r.status !== 200) throw refused('GET /payments/{id}', r.status, r.json);
      return parsePayment(r.json);
    },
    async createRefund(req): Promise<GatewayRefund> {
      const body: Raw = { payment_id: req.paymentId, amount: { value: toValue(req.amountKopecks), currency: 'RUB' }, ...(req.receipt ? { receipt: req.receipt } : {}) };
      const r = await call('POST', '/refunds', body, req.idempotenceKey);
      if (r.status !== 200) throw refused('POST /refunds', r.status, r.json);
      const j = obj(r.json);
      const amount = obj(j.amount);
      const status = str(j.status);
      if (!str(j.id) || !status || !['pending', 'succeeded', 'canceled'].includes(status)) throw new GatewayError('unavailable', 'the gateway answered with something that is not a refund');
      return { id: str(j.id)!, status: status as GatewayRefund['status'], amount: { value: str(amount.value) ?? '', currency: str(amount.currency) ?? '' }, paymentId: str(j.payment_id) ?? req.paymentId };
    },
  };
}
