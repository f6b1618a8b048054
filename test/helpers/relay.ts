// The relay tests' peers: relay-peer.py (python3, both ends at once with sha256 of each way),
// and tsnc -l --relay started on port 0.
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { listener, start, waitFor, type Proc } from './cli.js';
import { randomPayload } from './data.js';
import { quietPeriod } from './peer.js';

export const RELAY_PEER = fileURLToPath(new URL('../e2e/fixtures/relay-peer.py', import.meta.url));

/** One line of relay-peer.py: what one end of a connection sent and received. */
export interface PeerLine {
  readonly label: string;
  readonly sentBytes: number;
  readonly sentSha: string;
  readonly receivedBytes: number;
  readonly receivedSha: string;
}

/** The lines relay-peer.py printed so far. */
export const peerLines = (proc: Proc): PeerLine[] =>
  proc
    .stdout()
    .toString()
    .split('\n')
    .map((text) => text.split(' '))
    .filter((words) => words.length === 5 && (words[0] === 'server' || words[0] === 'client'))
    .map(([label, sent, sentSha, received, receivedSha]) => ({
      label: label ?? '',
      sentBytes: Number(sent),
      sentSha: sentSha ?? '',
      receivedBytes: Number(received),
      receivedSha: receivedSha ?? '',
    }));

/** Wait until a child's stdout matches re. */
export const stdoutMatch = async (proc: Proc, re: RegExp, ms = 10_000): Promise<RegExpMatchArray> => {
  let match: RegExpMatchArray | null = null;
  await waitFor(
    () => {
      match = re.exec(proc.stdout().toString());
      return match !== null;
    },
    `stdout matching ${re}; stderr: ${proc.stderr()}`,
    ms,
  );
  if (match === null) throw new Error('unreachable');
  return match;
};

/** relay-peer.py as a TCP server on 127.0.0.1 ('server' sends `send` bytes per connection, 'echo' echoes). */
export const pythonBackend = async (
  kind: 'server' | 'echo',
  send = 0,
): Promise<{ proc: Proc; port: number }> => {
  const proc = start('python3', [RELAY_PEER, kind, ...(kind === 'server' ? [String(send)] : [])]);
  const match = await stdoutMatch(proc, /^port (\d+)$/m);
  return { proc, port: Number(match[1]) };
};

/** tsnc -l -v -n [...] --relay TARGET on port 0. */
export const relayListener = (target: string, args: readonly string[] = []): ReturnType<typeof listener> =>
  listener([...args, '--relay', target]);

/** Resolves once something accepts TCP connections on 127.0.0.1:port (a peer that takes no port 0). */
export const tcpUp = async (port: number, ms = 10_000): Promise<void> => {
  const { connect } = await import('node:net');
  const deadline = Date.now() + ms;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = connect({ port, host: '127.0.0.1' });
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on port ${port} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * Write `total` bytes (`block` again and again, then FIN) to a socket whose far end does not read, honouring
 * its backpressure; resolve with how much was written once the writes have stalled (no progress
 * for a second). The rest goes on being written as the far end drains.
 */
export const writeUntilStalled = async (
  socket: Socket,
  total: number,
  block: Buffer = randomPayload(1024 * 1024),
): Promise<number> => {
  let written = 0;
  const pump = (): void => {
    while (written < total) {
      written += block.length;
      if (!socket.write(block)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
  for (let last = -1; written !== last;) {
    last = written;
    await quietPeriod(1000);
  }
  return written;
};
