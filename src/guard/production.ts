/**
 * Production known by address as well as by name. Real apps answer on several names (apex and
 * `app.` host, the load balancer's name, the IP, a registry's `url_prefix`), so the guard
 * resolves every A/AAAA record of production's names (production_url, smoke_url, allow_hosts)
 * when it starts, and treats any other name or literal that resolves to one of those addresses
 * as production too. Lookups are cached for the run and bounded in time.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** How long one lookup may take before the name counts as unresolvable. */
const LOOKUP_TIMEOUT_MS = 5000;

/** Resolves a name to its addresses (the system resolver, as clients use it). */
export type Lookup = (host: string) => Promise<string[]>;

/** Production's names and addresses, and a question about any other host. */
export interface ProductionIdentity {
  readonly names: ReadonlySet<string>;
  /** Every address of production's names, resolved when the guard started. */
  readonly addresses: ReadonlySet<string>;
  /** The addresses of `host` (itself for an IP literal); empty when it does not resolve in time. */
  readonly resolve: (host: string) => Promise<readonly string[]>;
  /** True when `host` is one of production's names or resolves to one of its addresses. */
  readonly isProduction: (host: string) => Promise<boolean>;
  /** True for one of production's addresses (any form: `::ffff:1.2.3.4` is `1.2.3.4`). */
  readonly isProductionAddress: (address: string) => boolean;
}

/** The system resolver, every address, within the time bound. */
export const systemLookup: Lookup = async (host) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`looking up ${host} took more than ${LOOKUP_TIMEOUT_MS} ms`)), LOOKUP_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([dnsLookup(host, { all: true, verbatim: true }), timeout]);
    return found.map((entry) => entry.address);
  } finally {
    clearTimeout(timer);
  }
};

/** Normalises an address for comparison: lower case, no brackets, IPv4-mapped IPv6 as IPv4. */
export function normalizeAddress(address: string): string {
  const bare = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped ? (mapped[1] as string) : bare;
}

/** Resolves production's names once, then answers questions about other hosts. */
export async function identifyProduction(hostnames: readonly string[], lookup: Lookup = systemLookup): Promise<ProductionIdentity> {
  const names = new Set(hostnames.map((h) => normalizeAddress(h).replace(/\.$/, '')));
  const cache = new Map<string, Promise<readonly string[]>>();
  const resolve = (host: string): Promise<readonly string[]> => {
    const key = normalizeAddress(host).replace(/\.$/, '');
    if (isIP(key)) return Promise.resolve([key]);
    let found = cache.get(key);
    if (!found) {
      found = lookup(key).then((list) => list.map(normalizeAddress), () => []);
      cache.set(key, found);
    }
    return found;
  };
  const addresses = new Set((await Promise.all([...names].map(resolve))).flat());
  const isProductionAddress = (address: string): boolean => addresses.has(normalizeAddress(address));
  return {
    names,
    addresses,
    resolve,
    isProductionAddress,
    isProduction: async (host) => {
      const key = normalizeAddress(host).replace(/\.$/, '');
      if (names.has(key)) return true;
      return (await resolve(key)).some(isProductionAddress);
    },
  };
}
