import { BlockList, isIP } from 'node:net';

/** The proxies (load balancers) whose `X-Forwarded-For` is believed, as addresses and CIDR ranges. */
export type TrustedProxies = BlockList;

/**
 * Reads `DEBRIEF_TRUSTED_PROXIES`: addresses or CIDR ranges (IPv4 or IPv6), separated by commas or spaces.
 * Throws an Error naming every entry that is neither, with an example of what is meant.
 */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  const bad: string[] = [];
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      (bits !== undefined && (!/^\d{1,3}$/.test(prefix ?? '') || bits > maxBits))
    ) {
      bad.push(JSON.stringify(entry));
      continue;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  if (bad.length > 0) {
    throw new Error(
      `${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not an address or CIDR range; list the load balancers' addresses, e.g. 10.0.0.0/8, 192.0.2.10, fd00::/8`,
    );
  }
  return list;
}
