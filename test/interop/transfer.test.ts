import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { killAll, listener, start, tsnc, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { itWithPeer } from '../helpers/peers.js';
import { EXIT_MS, startPeerListener, withStdio, type StdioSpec } from './kit.js';

/*
 * The interop matrix: a file of 4-16 MiB of random bytes crosses between tsnc and a real peer, in
 * both directions and both roles, and every process must end by itself with the whole file.
 * tsnc gets no extra flags. A peer gets the flags it needs by its own design, with the reason and
 * the section of /work/shared/research/nc-behavior.md ("§") that measured it.
 */

type Args = (port: number) => readonly string[];

interface Peer {
  /** What itWithPeer checks for, and the program started. */
  readonly command: string;
  /** Peer as client: its stdin is the file, it sends it to tsnc -l. */
  readonly pushClient: Args;
  /** Peer as client: its stdin is /dev/null, it writes what tsnc -l sends to its stdout. */
  readonly pullClient: Args;
  /** Peer listening on 127.0.0.1: its stdin is /dev/null, it writes what it receives to stdout. */
  readonly receivingListener: Args;
  /** Peer listening on 127.0.0.1: its stdin is the file, it sends it to the tsnc client. */
  readonly sendingListener: Args;
}

const PY_PEER = fileURLToPath(new URL('./py-peer.py', import.meta.url));
const at = (port: number): string => String(port);

const peers: readonly Peer[] = [
  {
    command: 'nc.openbsd',
    // OB never half-closes at stdin EOF without -N (§1, §9 "push: client -N"): without it the
    // receiver cannot tell the file has ended, and both sides wait for ever.
    pushClient: (port) => ['-N', '-n', '127.0.0.1', at(port)],
    // None needed: tsnc half-closes after the file; OB, its stdin already at EOF, exits (§3).
    pullClient: (port) => ['-n', '127.0.0.1', at(port)],
    // None needed: an OB listener ends its session at network EOF (§2c).
    receivingListener: (port) => ['-n', '-l', '127.0.0.1', at(port)],
    // -N for the same reason as pushClient (§9 "pull: listener -N").
    sendingListener: (port) => ['-N', '-n', '-l', '127.0.0.1', at(port)],
  },
  {
    command: 'nc.traditional',
    // TR has no -N; -q 0 half-closes and exits at stdin EOF, once the file is written (§1, §9).
    pushClient: (port) => ['-q', '0', '-n', '127.0.0.1', at(port)],
    // None needed: TR exits at network EOF (§3).
    pullClient: (port) => ['-n', '127.0.0.1', at(port)],
    // TR's positional host in listen mode only filters peers; -s chooses the bind address (§2a).
    receivingListener: (port) => ['-n', '-l', '-s', '127.0.0.1', '-p', at(port)],
    // -q 0 as in pushClient (§9 "pull: listener -q 0").
    sendingListener: (port) => ['-q', '0', '-n', '-l', '-s', '127.0.0.1', '-p', at(port)],
  },
  {
    // ncat half-closes at stdin EOF, so it needs no flags. As a puller with stdin /dev/null it
    // half-closes at once; an ncat listener would take that for the end and truncate (§9), tsnc
    // must not: so no --recv-only here, on purpose.
    command: 'ncat',
    pushClient: (port) => ['-n', '127.0.0.1', at(port)],
    pullClient: (port) => ['-n', '127.0.0.1', at(port)],
    receivingListener: (port) => ['-n', '-l', '127.0.0.1', at(port)],
    sendingListener: (port) => ['-n', '-l', '127.0.0.1', at(port)],
  },
  {
    // Debian's busybox applet has only -l -ll -p -w -i -f -e (version table); it half-closes at stdin EOF, also at once
    // when stdin is /dev/null, which truncates transfers between two busyboxes (§9). Against
    // tsnc, which never exits on an early half-close while it still has a file to send, it needs
    // nothing, /dev/null stdin included.
    command: 'busybox',
    pushClient: (port) => ['nc', '127.0.0.1', at(port)],
    pullClient: (port) => ['nc', '127.0.0.1', at(port)],
    // In listen mode busybox's positional argument is the local address (§2a).
    receivingListener: (port) => ['nc', '-l', '-p', at(port), '127.0.0.1'],
    sendingListener: (port) => ['nc', '-l', '-p', at(port), '127.0.0.1'],
  },
  {
    // -u: one direction only, the way socat's manual moves a file. Bidirectional socat also
    // completes (§9), but after its first EOF it gives the other direction only -t (0.5 s) before
    // it exits (§1): a timer a loaded CI machine could trip.
    command: 'socat',
    pushClient: (port) => ['-u', 'STDIN', `TCP:127.0.0.1:${port}`],
    pullClient: (port) => ['-u', `TCP:127.0.0.1:${port}`, 'STDOUT'],
    receivingListener: (port) => ['-u', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, 'STDOUT'],
    sendingListener: (port) => ['-u', 'STDIN', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`],
  },
  {
    // A textbook program (py-peer.py): send, shutdown(SHUT_WR), read to EOF, close.
    command: 'python3',
    pushClient: (port) => [PY_PEER, 'connect-send', '127.0.0.1', at(port)],
    pullClient: (port) => [PY_PEER, 'connect-recv', '127.0.0.1', at(port)],
    receivingListener: (port) => [PY_PEER, 'listen-recv', '127.0.0.1', at(port)],
    sendingListener: (port) => [PY_PEER, 'listen-send', '127.0.0.1', at(port)],
  },
];

interface Scenario {
  readonly name: (peer: string) => string;
  /** tsnc listens (the peer connects), or tsnc connects to the peer's listener. */
  readonly tsncListens: boolean;
  /** The file goes from the peer to tsnc, or from tsnc to the peer. */
  readonly toTsnc: boolean;
  /** tsnc's stdin when it receives: /dev/null (a script) or a pipe held open that never writes. */
  readonly receiverStdin?: 'null' | 'pipe';
}

const scenarios: readonly Scenario[] = [
  {
    name: (p) => `${p} client pushes to tsnc -l, tsnc stdin /dev/null`,
    tsncListens: true,
    toTsnc: true,
    receiverStdin: 'null',
  },
  {
    name: (p) => `${p} client pushes to tsnc -l, tsnc stdin held open`,
    tsncListens: true,
    toTsnc: true,
    receiverStdin: 'pipe',
  },
  { name: (p) => `${p} client pulls from tsnc -l < file`, tsncListens: true, toTsnc: false },
  { name: (p) => `tsnc < file pushes to ${p} -l`, tsncListens: false, toTsnc: false },
  {
    name: (p) => `tsnc pulls from ${p} -l, tsnc stdin /dev/null`,
    tsncListens: false,
    toTsnc: true,
    receiverStdin: 'null',
  },
  {
    name: (p) => `tsnc pulls from ${p} -l, tsnc stdin held open`,
    tsncListens: false,
    toTsnc: true,
    receiverStdin: 'pipe',
  },
];

const MiB = 1 << 20;
const files = scratch();
let serial = 0;

afterEach(killAll);
afterAll(() => files.remove());

/** Wait for a process to end by itself; its exit status, or the reason it did not end. */
const ended = (proc: Proc): Promise<number | string> =>
  proc.exited(EXIT_MS).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));

const run = async (peer: Peer, scenario: Scenario): Promise<void> => {
  // An odd size between 4 and 16 MiB, so no transfer ends on a buffer boundary by luck.
  const payload = randomPayload(4 * MiB + randomInt(12 * MiB));
  const id = ++serial;
  const input = files.file(`in-${id}`, payload);
  const output = files.file(`out-${id}`, '');

  const tsncStdio: [StdioSpec, StdioSpec] = scenario.toTsnc
    ? [scenario.receiverStdin ?? 'null', { write: output }]
    : [{ read: input }, 'pipe'];
  const peerStdio: [StdioSpec, StdioSpec] = scenario.toTsnc
    ? [{ read: input }, 'pipe']
    : ['null', { write: output }];

  let tsncProc: Proc;
  let peerProc: Proc;
  if (scenario.tsncListens) {
    const server = await withStdio(tsncStdio, (options) => listener([], options));
    tsncProc = server.proc;
    const args = (scenario.toTsnc ? peer.pushClient : peer.pullClient)(server.port);
    peerProc = withStdio(peerStdio, (options) => start(peer.command, args, options));
  } else {
    const argsFor = scenario.toTsnc ? peer.sendingListener : peer.receivingListener;
    const server = await startPeerListener(peer.command, argsFor, peerStdio);
    peerProc = server.proc;
    tsncProc = withStdio(tsncStdio, (options) => tsnc(['127.0.0.1', String(server.port)], options));
  }

  const began = Date.now();
  const [tsncStatus, peerStatus] = await Promise.all([ended(tsncProc), ended(peerProc)]);
  const received = readFileSync(output);
  expect({
    tsnc: tsncStatus,
    [peer.command]: peerStatus,
    bytes: received.length,
    sha256: sha256(received),
  }).toEqual({ tsnc: 0, [peer.command]: 0, bytes: payload.length, sha256: sha256(payload) });
  // The sender was told nothing, so it must print nothing (no echo, no stray bytes).
  expect((scenario.toTsnc ? peerProc : tsncProc).stdout().length).toBe(0);
  expect(Date.now() - began).toBeLessThan(EXIT_MS);
};

describe('interop: a file between tsnc and a real peer, sha256-checked, every process ends by itself', () => {
  for (const peer of peers) {
    describe(peer.command, () => {
      for (const scenario of scenarios) {
        itWithPeer(peer.command)(scenario.name(peer.command), () => run(peer, scenario), 60_000);
      }
    });
  }
});
