// Shared by the reliability tests: root gating, network namespaces the tests make and
// delete, fixture peers, and what /proc says about a process (fds, memory).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Proc } from '../helpers/cli.js';
import type { Netns } from '../helpers/netns.js';

export { canUseRoot, inCI, isRoot, itAsRoot, Netns, ROOT_NOTE } from '../helpers/netns.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
/** The NXDOMAIN DNS server of the e2e suite, reused by path. */
export const NXDOMAIN_DNS = fileURLToPath(new URL('../e2e/fixtures/nxdomain-dns.py', import.meta.url));
export const PEER = fixture('peer.mjs');

/** Seconds since start, for bounds in messages. */
export const elapsed = (since: number): number => (Date.now() - since) / 1000;

/**
 * Join two namespaces with a veth pair: `a` gets 10.N.0.1/24 on va, `b` 10.N.0.2/24 on vb.
 * Returns the two addresses.
 */
export const vethPair = (a: Netns, b: Netns, subnet: number): { addrA: string; addrB: string } => {
  a.ip('link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b.name);
  const addrA = `10.${subnet}.0.1`;
  const addrB = `10.${subnet}.0.2`;
  a.ip('addr', 'add', `${addrA}/24`, 'dev', 'va');
  b.ip('addr', 'add', `${addrB}/24`, 'dev', 'vb');
  a.ip('link', 'set', 'va', 'up');
  b.ip('link', 'set', 'vb', 'up');
  return { addrA, addrB };
};

/** Open file descriptors of a process (entries of /proc/PID/fd). */
export const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** A field of /proc/PID/status in KiB (VmRSS, VmHWM). */
export const statusKiB = (pid: number, field: 'VmRSS' | 'VmHWM'): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no ${field} for pid ${pid}`);
  return Number(match[1]);
};

export const MiB = 1024;

/** What a stack trace, an unhandled rejection or a Node warning looks like on stderr. */
export const CRASH =
  /^\s+at |internal error|Error:|Error \[|Warning|node:internal|\(node:\d+\)|Node\.js v\d/m;

/** The pid of a process we started, or a clear failure. */
export const pidOf = (proc: Proc): number => {
  const { pid } = proc.child;
  if (pid === undefined) throw new Error('process has no pid');
  return pid;
};

/** A bound on "at once" on a loaded 2-core box: a generous fixed bound, never a timing claim. */
export const AT_ONCE_MS = 5000;
