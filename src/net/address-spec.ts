import { isIP } from 'node:net';

/** One --allow/--deny entry: an address, a network in CIDR notation, or a host name. */
export type AddressSpec =
  | { readonly kind: 'address'; readonly address: string; readonly family: 4 | 6 }
  | { readonly kind: 'network'; readonly address: string; readonly prefix: number; readonly family: 4 | 6 }
  | { readonly kind: 'name'; readonly name: string };

/** RFC 1123 host names; all-numeric labels are not names (so `300.1.1.1` is a bad address, not a lookup). */
const HOST_NAME =
  /^(?=.*[A-Za-z])[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Parse one entry (ncat's --allow syntax: `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`, `db.local`).
 * Returns undefined for anything else. A text that looks numeric never becomes a name to look up.
 */
export const parseAddressSpec = (text: string): AddressSpec | undefined => {
  const slash = text.indexOf('/');
  if (slash !== -1) {
    const address = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const family = isIP(address);
    if ((family !== 4 && family !== 6) || !/^\d{1,3}$/.test(prefixText)) return undefined;
    const prefix = Number(prefixText);
    if (prefix > (family === 4 ? 32 : 128)) return undefined;
    return { kind: 'network', address, prefix, family };
  }
  const family = isIP(text);
  if (family === 4 || family === 6) return { kind: 'address', address: text, family };
  if (text.length <= 253 && HOST_NAME.test(text)) return { kind: 'name', name: text };
  return undefined;
};

/** The entries of a --allow/--deny value or file: separated by commas or white space, `#` comments. */
export const splitAddressList = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .flatMap((line) => line.split(/[\s,]+/))
    .filter((entry) => entry !== '');
