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
