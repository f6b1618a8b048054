// --ssl and the --ssl-* options: the TLS of a connection or a listener.
import type { TlsSpec } from '../config.js';
import { messages } from '../messages.js';
import type { RawArgs } from './argv.js';
import { TLS_CONFLICTS } from './conflicts.js';
import { fail } from './numbers.js';

/** --ssl-pin: `sha256:` (optional) and 64 hex digits, colons allowed, any case; lower hex without colons. */
export const parsePin = (text: string): string | undefined => {
  const hex = text.replace(/^sha256:/i, '').replace(/:/g, '');
  return /^[0-9a-f]{64}$/i.test(hex) ? hex.toLowerCase() : undefined;
};

/** The options a TLS client checks the server with. */
export interface ClientTlsArgs {
  readonly sslTrustfile?: string;
  readonly sslInsecure: boolean;
  readonly sslPin?: string;
}

/**
 * A client's ways to trust a server exclude each other: a pin, no check at all, or CA files.
 * The pin, as lower hex, when one is given.
 */
export const clientPin = (raw: ClientTlsArgs): string | undefined => {
  if (raw.sslPin !== undefined) {
    if (raw.sslInsecure) fail(messages.cannotCombine('--ssl-pin', '--ssl-insecure'));
    if (raw.sslTrustfile !== undefined) fail(messages.cannotCombine('--ssl-pin', '--ssl-trustfile'));
  }
  if (raw.sslInsecure && raw.sslTrustfile !== undefined) {
    fail(messages.cannotCombine('--ssl-insecure', '--ssl-trustfile'));
  }
  if (raw.sslPin === undefined) return undefined;
  return parsePin(raw.sslPin) ?? fail(messages.pinInvalid(raw.sslPin));
};

/**
 * --ssl and its options. As in ncat, every --ssl-* option implies --ssl. The client options
 * (trust, name, pin, insecure) make no sense for a listener, which never asks for a client
 * certificate: an error rather than ignored.
 */
export const tlsSpec = (raw: RawArgs): TlsSpec | undefined => {
  const given = [
    ['--ssl-cert', raw.sslCert],
    ['--ssl-key', raw.sslKey],
    ['--ssl-trustfile', raw.sslTrustfile],
    ['--ssl-servername', raw.sslServername],
    ['--ssl-insecure', raw.sslInsecure ? '' : undefined],
    ['--ssl-pin', raw.sslPin],
  ] as const;
  const first = given.find(([, value]) => value !== undefined);
  if (!raw.ssl && first === undefined) return undefined;
  const option = raw.ssl ? '--ssl' : (first?.[0] ?? '--ssl');
  for (const [other, conflicting] of TLS_CONFLICTS)
    if (conflicting(raw)) fail(messages.cannotCombine(option, other));
  if (raw.sslCert !== undefined && raw.sslKey === undefined)
    fail(messages.needsOption('--ssl-key', '--ssl-cert'));
  if (raw.sslKey !== undefined && raw.sslCert === undefined)
    fail(messages.needsOption('--ssl-cert', '--ssl-key'));
  for (const [name, value] of given.slice(0, 4)) {
    if (value === '') fail(messages.pathFailed(name, 'missing file name'));
  }
  if (raw.listen) {
    for (const [name, value] of given.slice(2))
      if (value !== undefined) fail(messages.cannotCombine(name, '-l'));
  }
  return {
    certFile: raw.sslCert,
    keyFile: raw.sslKey,
    trustFile: raw.sslTrustfile,
    servername: raw.sslServername,
    insecure: raw.sslInsecure,
    pin: clientPin(raw),
  };
};
