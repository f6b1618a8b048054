import { lookup, Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Family, Target } from '../config.js';
import { resolveErrorText, TsncError } from '../errors.js';
import { messages } from '../messages.js';

/** A failed name lookup, with getaddrinfo's code. */
export class ResolveError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'ResolveError';
  }
}

/**
 * Every address of host, in getaddrinfo's order. A literal of the wrong family and a name
 * under -n fail as they do in nc (Node itself would let both through).
 */
export const resolveHost = async (host: string, family: Family, numeric: boolean): Promise<string[]> => {
  const literal = isIP(host.replace(/^\[(.*)\]$/, '$1'));
  if (literal !== 0) {
    if (family !== undefined && literal !== family) throw new ResolveError('EAI_ADDRFAMILY');
    return [host.replace(/^\[(.*)\]$/, '$1')];
  }
  if (numeric || host === '') throw new ResolveError('EAI_NONAME');
  try {
    const found = await lookup(host, { all: true, family: family ?? 0, verbatim: true });
    if (found.length === 0) throw new ResolveError('EAI_NONAME');
    return found.map((entry) => entry.address);
  } catch (error) {
    if (error instanceof ResolveError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new ResolveError(typeof code === 'string' ? code : 'EAI_NONAME');
  }
};

/**
 * resolveHost() for a connect target (or a source address, a proxy, an --allow name): a failure
 * is nc's `getaddrinfo for host "H" port P: reason` line, as a TsncError (exit 1).
 */
export const resolveOrFail = async (
  host: string,
  port: number | string,
  family: Family,
  numeric: boolean,
): Promise<string[]> => {
  try {
    return await resolveHost(host, family, numeric);
  } catch (error) {
    if (!(error instanceof ResolveError)) throw error;
    throw new TsncError(messages.resolveFailed(host, port, resolveErrorText(error)));
  }
};

/**
 * The addresses of a connect or scan target (none through a proxy: the proxy resolves the name,
 * or the SOCKS4 handshake does) and of its -s source address.
 */
export const resolveTarget = async (
  target: Target,
): Promise<{ addresses: string[]; sourceAddress: string | undefined }> => {
  const { host, ports, family, numeric, proxy, sourceAddress } = target;
  const addresses = proxy === undefined ? await resolveOrFail(host, ports[0] ?? '', family, numeric) : [];
  const [source] =
    sourceAddress === undefined ? [] : await resolveOrFail(sourceAddress, 'null', family, numeric);
  return { addresses, sourceAddress: source };
};

/** How long a reverse lookup for a -v line may take before the number is shown instead. */
const REVERSE_LOOKUP_MS = 2000;

/** The first name /etc/hosts gives an address, as getnameinfo() finds it there. */
export const hostsName = (hostsText: string, address: string): string | undefined => {
  const wanted = address.toLowerCase();
  for (const line of hostsText.split('\n')) {
    const [listed, name] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (listed?.toLowerCase() === wanted && name !== undefined) return name;
  }
  return undefined;
};

let systemHosts: string | undefined;
const readSystemHosts = (): string => {
  if (systemHosts === undefined) {
    try {
      systemHosts = readFileSync('/etc/hosts', 'utf8');
    } catch {
      systemHosts = '';
    }
  }
  return systemHosts;
};

/**
 * The name of an address for -v lines, or the address itself under -n, on failure, or when the
 * lookup is slow: /etc/hosts first, then a PTR query (the order of getnameinfo() with
 * "hosts: files dns"). The query goes through c-ares, not getnameinfo(): that would block a
 * threadpool thread until the resolver gives up, and Node's exit waits for it, so a dead DNS
 * would hold tsnc for seconds after its work is done. A c-ares query is simply cancelled.
 */
export const nameOf = async (address: string, numeric: boolean): Promise<string> => {
  if (numeric) return address;
  // An IPv4 peer on a dual-stack socket (::ffff:10.0.0.1), as glibc's getnameinfo() sees it:
  // /etc/hosts's IPv4 lines do not match it (only a line for the mapped address itself does),
  // and the DNS query is made for the IPv4 address. So nc.openbsd -6 -l names a 127.0.0.1
  // client ::ffff:127.0.0.1, not localhost.
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (plain === '0.0.0.0' || plain === '::') return address;
  const listed = hostsName(readSystemHosts(), address);
  if (listed !== undefined) return listed;
  const resolver = new Resolver({ timeout: REVERSE_LOOKUP_MS, tries: 1 });
  const timer = setTimeout(() => resolver.cancel(), REVERSE_LOOKUP_MS);
  try {
    // c-ares's reverse() reads /etc/hosts too: for a mapped address only the DNS is asked.
    const [name] =
      plain === address
        ? await resolver.reverse(plain)
        : await resolver.resolvePtr(`${plain.split('.').reverse().join('.')}.in-addr.arpa`);
    return name ?? address;
  } catch {
    return address;
  } finally {
    clearTimeout(timer);
  }
};
