import { UsageError } from '../errors.js';
import { messages } from '../messages.js';
import type { ServiceTable } from './services.js';

const MAX_PORT = 65535;

/**
 * Parse one port: decimal digits or a service name from /etc/services (nc.openbsd resolves
 * names such as `http-alt`). Signs, spaces and other junk are rejected.
 */
export const parsePort = (text: string, services: ServiceTable, proto = 'tcp'): number => {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < 1) throw new UsageError(messages.portTooSmall(text), false);
    if (value > MAX_PORT) throw new UsageError(messages.portTooLarge(text), false);
    return value;
  }
  const named = /^[A-Za-z][\w.+-]*$/.test(text) ? services.portOf(text, proto) : undefined;
  if (named === undefined) throw new UsageError(messages.portInvalid(text), false);
  return named;
};

/** Parse a listen port: like parsePort, but 0 asks the kernel for a free port. */
export const parseListenPort = (text: string, services: ServiceTable, proto = 'tcp'): number =>
  /^0+$/.test(text) ? 0 : parsePort(text, services, proto);

/**
 * Parse a port argument that may be a range `lo-hi` (either order, scanned ascending, as
 * nc.openbsd) or a single port.
 */
export const parsePortSpec = (text: string, services: ServiceTable, proto = 'tcp'): number[] => {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range === null) {
    if (/^\d*-/.test(text)) throw new UsageError(messages.portRangeInvalid(text), false);
    return [parsePort(text, services, proto)];
  }
  const a = parsePort(range[1] ?? '', services, proto);
  const b = parsePort(range[2] ?? '', services, proto);
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
};
