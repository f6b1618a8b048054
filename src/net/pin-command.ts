// The client command printed by a --ssl listener with an ephemeral certificate: copy, paste, and
// the client pins exactly that certificate. Nothing is sent anywhere to find the host's address.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { ListenConfig } from '../config.js';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The address a client elsewhere would use: the first non-internal address of the interfaces
 * (IPv4 first, IPv6 with -6; link-local IPv6 skipped, it needs a scope), else loopback.
 */
export const firstNonLoopback = (
  family: 4 | 6 | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string => {
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  const usable = all.filter((info) => !info.internal && !/^fe80:/i.test(info.address));
  const wanted = family === 6 ? 'IPv6' : 'IPv4';
  const found =
    usable.find((info) => info.family === wanted) ?? (family === undefined ? usable[0] : undefined);
  return found?.address ?? (family === 6 ? '::1' : '127.0.0.1');
};

/** The command and where it goes: HOST PORT (the -l address, or the first non-loopback one), or -U PATH. */
export const pinCommand = (
  fingerprint: string,
  config: Pick<ListenConfig, 'transport' | 'bindAddress' | 'family'>,
  port: number,
): { command: string; host?: string; port?: number; path?: string } => {
  if (config.transport === 'unix') {
    const path = config.bindAddress ?? '';
    return { command: `tsnc -U --ssl-pin ${fingerprint} ${path}`, path };
  }
  const given = config.bindAddress;
  const host = given === undefined || WILDCARDS.has(given) ? firstNonLoopback(config.family) : given;
  return { command: `tsnc --ssl-pin ${fingerprint} ${host} ${port}`, host, port };
};
