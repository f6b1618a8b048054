import { lookup, lookupService } from 'node:dns/promises';
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

/**
 * The name of an address for -v lines (getnameinfo, so /etc/hosts counts), or the address
 * itself under -n, on failure, or when the lookup is slow.
 */
export const nameOf = async (address: string, port: number, numeric: boolean): Promise<string> => {
  if (numeric) return address;
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(address), REVERSE_LOOKUP_MS);
  });
  const named = lookupService(address, port).then(
    (found) => found.hostname,
    () => address,
  );
  try {
    return await Promise.race([named, slow]);
  } finally {
    clearTimeout(timer);
  }
};
