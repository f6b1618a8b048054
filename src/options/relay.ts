// --relay TARGET: its grammar and the checks of a tls:// target. Pure: resolve.ts calls it
// before any socket exists (conflicts.ts has what --relay cannot go with).
import { isIP } from 'node:net';
import type { RelayTarget, TlsSpec } from '../config.js';
import { UsageError } from '../errors.js';
import { messages } from '../messages.js';
import { parsePort } from '../net/port.js';
import type { ServiceTable } from '../net/services.js';
import { fail } from './numbers.js';
import { clientPin } from './tls.js';

/** The options --relay reads from (a subset of RawArgs). */
export interface RelayRaw {
  readonly relay?: string;
  readonly listen: boolean;
  readonly udp: boolean;
  readonly unix: boolean;
  readonly numeric: boolean;
  readonly sslTrustfile?: string;
  readonly sslServername?: string;
  readonly sslInsecure: boolean;
  readonly sslPin?: string;
}

/** A name as getaddrinfo could take it, or an address; anything else (spaces, slashes) is a typo. */
const HOST = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;

/**
 * Parse a --relay TARGET: `host:port`, `[v6addr]:port`, `tcp://host:port`, `tls://host:port`,
 * `unix:/path`, `unix:@abstract`; with -u, only host:port. Bad text is a UsageError naming it.
 */
export const parseRelayTarget = (text: string, services: ServiceTable, udp: boolean): RelayTarget => {
  const bad = (reason: string): never => fail(messages.relayTargetInvalid(text, reason));
  if (text.startsWith('unix:')) {
    if (udp) fail(messages.relayUdpTarget(text));
    const path = text.slice('unix:'.length);
    if (path === '' || path === '@') bad(messages.missingSocketPath());
    return { kind: 'unix', path };
  }
  let rest = text;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text);
  if (scheme !== null) {
    const name = (scheme[1] ?? '').toLowerCase();
    if (name !== 'tcp' && name !== 'tls') bad(`unknown scheme ${name}:// (tcp://, tls:// or unix:)`);
    if (udp) fail(messages.relayUdpTarget(text));
    rest = text.slice(scheme[0].length);
  }
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) return bad('missing closing bracket');
    host = rest.slice(1, close);
    if (isIP(host) !== 6) bad('not an IPv6 address in brackets');
    const after = rest.slice(close + 1);
    if (!after.startsWith(':')) bad(messages.missingPort());
    portText = after.slice(1);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon === -1) return bad(messages.missingPort());
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) bad('an IPv6 address goes in brackets: [address]:port');
    if (host === '') bad('missing host');
    if (isIP(host) === 0 && !HOST.test(host)) bad('invalid host name');
  }
  if (portText === '') bad(messages.missingPort());
  let port = 0;
  try {
    port = parsePort(portText, services, udp ? 'udp' : 'tcp');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    bad(error.message);
  }
  if (udp) return { kind: 'udp', host, port };
  return { kind: 'tcp', host, port };
};

/** The client-side --ssl-* options, which with --relay check a tls:// target's certificate. */
export const TARGET_TLS_OPTIONS = [
  ['--ssl-trustfile', (raw: RelayRaw) => raw.sslTrustfile !== undefined],
  ['--ssl-servername', (raw: RelayRaw) => raw.sslServername !== undefined],
  ['--ssl-insecure', (raw: RelayRaw) => raw.sslInsecure],
  ['--ssl-pin', (raw: RelayRaw) => raw.sslPin !== undefined],
] as const;

/**
 * --relay's target, checked: a listener must exist (-l), and the --ssl-* client options go with
 * a tls:// target only, for which they are what --ssl's client takes (verified by default).
 */
export const relayTarget = (raw: RelayRaw, text: string, services: ServiceTable): RelayTarget => {
  if (!raw.listen) fail(messages.needsListen('--relay'));
  if (text === '') fail(messages.relayTargetInvalid(text, 'missing target'));
  if (raw.unix && raw.udp) fail(messages.cannotCombine('--relay', '-U -u'));
  const target = parseRelayTarget(text, services, raw.udp);
  const isTls = text.toLowerCase().startsWith('tls://');
  if (!isTls) {
    for (const [option, given] of TARGET_TLS_OPTIONS) if (given(raw)) fail(messages.relayNeedsTls(option));
  }
  if (target.kind !== 'tcp') return target;
  if (raw.numeric && isIP(target.host) === 0) {
    fail(messages.resolveFailed(target.host, target.port, 'Name or service not known'));
  }
  if (!isTls) return target;
  for (const [name, value] of [
    ['--ssl-trustfile', raw.sslTrustfile],
    ['--ssl-servername', raw.sslServername],
  ] as const) {
    if (value === '') fail(messages.pathFailed(name, 'missing file name'));
  }
  const tls: TlsSpec = {
    certFile: undefined,
    keyFile: undefined,
    trustFile: raw.sslTrustfile,
    servername: raw.sslServername,
    insecure: raw.sslInsecure,
    pin: clientPin(raw),
  };
  return { ...target, tls };
};
