// The key every per-client limit counts by: an IPv4 address as it is, an IPv6 client by its /64 (one subscriber line
// usually gets a whole /64, so counting single addresses would let it try 2^64 times); an IPv4-mapped IPv6 address
// (::ffff:1.2.3.4) counts as the IPv4 address. Used by every rate limiter (sign-in, recovery, public forms).
import type { Request } from 'express';
import ipaddr from 'ipaddr.js';

export function networkOf(ip: string): string {
  const bare = ip.trim().replace(/%.*$/, ''); // a zone id (fe80::1%eth0) is not part of the network
  if (!ipaddr.isValid(bare)) return bare || 'unknown';
  const addr = ipaddr.process(bare); // IPv4-mapped -> IPv4
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

/** The client's network as every limiter keys it (req.ip follows TRUST_PROXY). */
export const clientNetwork = (req: Request): string => networkOf(req.ip ?? '');
