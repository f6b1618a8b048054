// Rule 1: when tsnc sends FIN after stdin's EOF. Each row runs the built CLI against a peer in
// the test process that records whether (and when) the FIN arrives.
import { openSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc, type Proc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { peerClient, peerServer, quietPeriod, type PeerConnection } from '../helpers/peer.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

type Stdin = 'bytes-then-eof' | 'empty-pipe' | 'dev-null' | 'empty-file' | 'file';

/** Start tsnc with stdin as described; 'bytes-then-eof' writes "data\n" and closes. */
const stdinOption = (stdin: Stdin): 'pipe' | 'ignore' | number => {
  switch (stdin) {
    case 'bytes-then-eof':
    case 'empty-pipe':
      return 'pipe';
    case 'dev-null':
      return 'ignore';
    case 'empty-file':
      return openSync(files.file('empty', ''), 'r');
    case 'file':
      return openSync(files.file('data', 'from-a-file\n'), 'r');
  }
};

const feed = (proc: Proc, stdin: Stdin): void => {
  if (stdin === 'bytes-then-eof') proc.write('data\n');
  if (stdin === 'bytes-then-eof' || stdin === 'empty-pipe') proc.endStdin();
};

const rows: { flags: string[]; stdin: Stdin; fin: boolean; why: string }[] = [
  { flags: [], stdin: 'bytes-then-eof', fin: true, why: 'stdin delivered bytes' },
  { flags: [], stdin: 'file', fin: true, why: 'stdin is a regular file' },
  { flags: [], stdin: 'empty-file', fin: true, why: 'an empty regular file is still a file' },
  { flags: [], stdin: 'dev-null', fin: false, why: '/dev/null delivered nothing' },
  { flags: [], stdin: 'empty-pipe', fin: false, why: 'an empty pipe delivered nothing' },
  { flags: ['-N'], stdin: 'dev-null', fin: true, why: '-N always sends FIN' },
  { flags: ['-q', '5'], stdin: 'dev-null', fin: true, why: '-q N >= 0 implies -N' },
  { flags: ['-q', '-1'], stdin: 'dev-null', fin: false, why: 'negative -q does not imply -N' },
  { flags: ['--no-shutdown'], stdin: 'bytes-then-eof', fin: false, why: '--no-shutdown never sends FIN' },
  { flags: ['--no-shutdown'], stdin: 'file', fin: false, why: '--no-shutdown never sends FIN' },
  { flags: ['-d'], stdin: 'file', fin: false, why: '-d does not read stdin at all' },
  { flags: ['-d', '-N'], stdin: 'file', fin: true, why: '-d -N: nothing read, FIN at once (nc.openbsd)' },
];

/** Check what the peer saw: the FIN (or, for a no-FIN row, none during a quiet period). */
const expectFin = async (conn: PeerConnection, fin: boolean): Promise<void> => {
  if (fin) {
    await conn.fin;
  } else {
    await quietPeriod(400);
    expect(conn.finSeen()).toBe(false);
  }
};

const expectedData = (stdin: Stdin, flags: string[]): string => {
  if (flags.includes('-d')) return '';
  return stdin === 'bytes-then-eof' ? 'data\n' : stdin === 'file' ? 'from-a-file\n' : '';
};

/** stdin goes in; FIN (or none) as the rule says; the peer answers and closes; tsnc exits 0. */
const converse = async (
  proc: Proc,
  conn: PeerConnection,
  stdin: Stdin,
  fin: boolean,
  flags: string[],
): Promise<void> => {
  feed(proc, stdin);
  await expectFin(conn, fin);
  conn.socket.end('bye\n');
  expect(await proc.exited()).toBe(0);
  expect(conn.received().toString()).toBe(expectedData(stdin, flags));
  expect(proc.stdout().toString()).toBe('bye\n');
};

describe('half-close at stdin EOF, connect mode', () => {
  it.each(rows)('$flags, stdin $stdin: FIN $fin ($why)', async ({ flags, stdin, fin }) => {
    const peer = await peerServer();
    const proc = tsnc([...flags, '127.0.0.1', String(peer.port)], {
      stdio: [stdinOption(stdin), 'pipe', 'pipe'],
    });
    await converse(proc, await peer.accepted(), stdin, fin, flags);
    peer.close();
  });
});

describe('half-close at stdin EOF, listen mode (the same rule)', () => {
  it.each(rows)('$flags, stdin $stdin: FIN $fin ($why)', async ({ flags, stdin, fin }) => {
    const { proc, port } = await listener(flags, { stdio: [stdinOption(stdin), 'pipe', 'pipe'] });
    await converse(proc, await peerClient(port), stdin, fin, flags);
  });
});
