import { networkOf } from '../../src/web/clientNetwork';

describe('the network a client is counted by', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(networkOf('203.0.113.7')).toBe('203.0.113.7');
  });
  it('counts an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(networkOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });
  it('counts an IPv6 address by its /64, whatever its spelling', () => {
    expect(networkOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:0DB8:0001:0002:ffff:ffff:ffff:fffe')).toBe('2001:db8:1:2::/64');
    expect(networkOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(networkOf('2001:db8:1:3::1')).not.toBe(networkOf('2001:db8:1:2::1'));
  });
  it('keeps something that is not an address as it is, never empty', () => {
    expect(networkOf('')).toBe('unknown');
    expect(networkOf('not-an-ip')).toBe('not-an-ip');
  });
});
