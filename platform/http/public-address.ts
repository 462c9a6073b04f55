import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
// IPv4 rules above also match IPv4-mapped IPv6 (::ffff:a.b.c.d in any spelling).
// Forms that embed or translate to an IPv4 address we cannot judge are refused outright.
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible (::7f00:1 is 127.0.0.1)
  ['64:ff9b::', 96], // NAT64: the translator reaches any IPv4 address, private ones too
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is reachable on the public internet (not loopback, private, link-local, CGNAT, NAT64, 6to4…). */
export function isPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped) return isPublicAddress(mapped);
  const family = isIP(ip);
  if (family === 0 || ip.includes('%')) return false;
  try {
    return !PRIVATE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
}

/** One address a name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (the system resolver by default). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolve: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * Resolves `hostname` (a name, an IP, or a bracketed IPv6 literal) once and
 * returns its addresses, or null when it does not resolve or, with
 * `publicOnly`, when any address is not public. Connect to what this
 * returns (see `post` in platform/webhooks), never to the name: resolving
 * again would let a name rebind to an internal address after the check.
 */
export async function resolveChecked(
  hostname: string,
  publicOnly: boolean,
  resolve: Resolve = systemResolve,
): Promise<ResolvedAddress[] | null> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  let addresses: ResolvedAddress[];
  try {
    addresses = family ? [{ address: host, family: family === 6 ? 6 : 4 }] : await resolve(host);
  } catch {
    return null;
  }
  if (addresses.length === 0) return null;
  if (publicOnly && !addresses.every((a) => isPublicAddress(a.address))) return null;
  return addresses;
}

/**
 * True when every address `hostname` resolves to is public: outbound calls to
 * URLs that callers chose (webhooks) must not reach the service's own network.
 * A name that does not resolve is not public.
 */
export async function resolvesToPublicAddresses(
  hostname: string,
  resolve?: Resolve,
): Promise<boolean> {
  return (await resolveChecked(hostname, true, resolve)) !== null;
}
