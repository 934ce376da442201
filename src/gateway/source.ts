// Notifications carry no signature: they are believed only from the gateway's published addresses (and even then
// only as a hint: the payment is fetched from the API). Behind a proxy req.ip is the forwarded address, as far as
// TRUST_PROXY trusts the proxy.
import ipaddr from 'ipaddr.js';

export function addressAllowed(ip: string | undefined, ranges: string[]): boolean {
  if (!ip || !ipaddr.isValid(ip)) return false;
  const addr = ipaddr.process(ip); // ::ffff:1.2.3.4 -> 1.2.3.4
  return ranges.some((r) => {
    try {
      const [range, bits] = ipaddr.parseCIDR(r);
      return addr.kind() === range.kind() && (addr as ipaddr.IPv4).match(range as ipaddr.IPv4, bits);
    } catch {
      return false;
    }
  });
}

/** Where YooKassa sends the subscriber to pay (confirmation_url): https://yoomoney.ru/checkout/… */
export const YOOKASSA_CONFIRMATION_ORIGINS = ['https://yoomoney.ru', 'https://*.yoomoney.ru'];

/**
 * The pay forms POST to us and we answer 303 to the gateway's page: the browser checks that redirect against the page's
 * CSP form-action (helmet's default: 'self'), so the pages with such a form allow the gateway's origin too.
 */
export function allowGatewayForms(gateway: 'sandbox' | 'yookassa') {
  return (_req: unknown, res: { getHeader(n: string): unknown; setHeader(n: string, v: string): unknown }, next: () => void) => {
    const csp = res.getHeader('Content-Security-Policy');
    if (gateway === 'yookassa' && typeof csp === 'string') {
      res.setHeader('Content-Security-Policy', csp.replace("form-action 'self'", `form-action 'self' ${YOOKASSA_CONFIRMATION_ORIGINS.join(' ')}`));
    }
    next();
  };
}
