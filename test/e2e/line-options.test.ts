// -C, -i, -t, --send-only, --recv-only against a peer in the test process; -b in a namespace.
import { execFileSync } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerServer, quietPeriod } from '../helpers/peer.js';

afterEach(killAll);

describe('-C', () => {
  it('LF goes out as CRLF, an existing CRLF is kept, also across reads', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-C', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    proc.write('a\nb\r\n');
    await conn.receivedAtLeast(5);
    proc.write('c\r');
    await conn.receivedAtLeast(7);
    proc.write('\nd\n');
    proc.endStdin();
    await conn.fin;
    expect(conn.received().toString()).toBe('a\r\nb\r\nc\r\nd\r\n');
    peer.close();
  });
});

describe('-i', () => {
  it('one line per interval: three lines written at once arrive a second apart, then FIN', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-i', '1', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    const arrivals: number[] = [];
    conn.socket.on('data', (chunk: Buffer) => {
      const lines = chunk.toString().split('\n').length - 1;
      for (let i = 0; i < lines; i += 1) arrivals.push(Date.now());
    });
    const written = Date.now();
    proc.write('one\ntwo\nthree\n');
    proc.endStdin();
    await conn.fin;
    expect(conn.received().toString()).toBe('one\ntwo\nthree\n');
    // Each line in a read of its own, and none before its second: line k cannot leave tsnc before
    // (k - 1) s after the write, and is seen here no earlier than it leaves, however loaded the
    // machine (a gap between two arrivals could shrink when this process sees one of them late).
    expect(arrivals).toHaveLength(3);
    const [, second = 0, third = 0] = arrivals;
    expect(second - written).toBeGreaterThanOrEqual(990);
    expect(third - written).toBeGreaterThanOrEqual(1990);
    peer.close();
  });
});

describe('-t', () => {
  it('refuses telnet options: WILL -> DONT, DO -> WONT; the bytes still reach stdout', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-t', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    conn.socket.write(Buffer.from([255, 251, 1, 255, 253, 24, 0x68, 0x69]));
    await conn.receivedAtLeast(6);
    expect([...conn.received()]).toEqual([255, 254, 1, 255, 252, 24]);
    await waitFor(() => proc.stdout().length === 8, 'the bytes on stdout');
    expect([...proc.stdout()]).toEqual([255, 251, 1, 255, 253, 24, 0x68, 0x69]);
    peer.close();
  });

  it('without -t nothing is answered', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    conn.socket.write(Buffer.from([255, 251, 1]));
    await waitFor(() => proc.stdout().length === 3, 'the bytes on stdout');
    await quietPeriod(300);
    expect(conn.received().length).toBe(0);
    peer.close();
  });
});

describe('--send-only and --recv-only (ncat)', () => {
  it('--send-only: what the peer sends is dropped; FIN once stdin is sent, exit at the peer’s EOF', async () => {
    const peer = await peerServer();
    const proc = tsnc(['--send-only', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    conn.socket.write('ignored\n');
    proc.write('payload\n');
    proc.endStdin();
    await conn.fin;
    // Still there, still reading (closing on unread data would reset the connection).
    conn.socket.write('ignored too\n');
    await quietPeriod(200);
    expect(proc.child.exitCode).toBe(null);
    conn.socket.end();
    expect(await proc.exited()).toBe(0);
    expect(conn.received().toString()).toBe('payload\n');
    expect(proc.stdout().toString()).toBe('');
    peer.close();
  });

  it('--send-only to a listener that sends too: nothing sent is lost (no reset at the end)', async () => {
    // ncat's --send-only closes at stdin's EOF; with the listener's data still unread that close is
    // a reset, and the kernel drops the part of ours it had not sent yet.
    const files = scratch();
    try {
      const up = files.file('up', randomPayload(8 << 20));
      // The listener has more to send than the client: it is still sending when the client is done.
      const down = files.file('down', randomPayload(64 << 20));
      for (let round = 0; round < 3; round += 1) {
        const server = tsnc(['-l', '-v', '-n', '127.0.0.1', '-p', '0'], {
          stdio: [openSync(down, 'r'), 'pipe', 'pipe'],
        });
        const [, port] = await server.stderrLine(/Listening on \S+ (\d+)/);
        const client = tsnc(['--send-only', '127.0.0.1', String(port)], {
          stdio: [openSync(up, 'r'), 'pipe', 'pipe'],
        });
        expect(await client.exited()).toBe(0);
        expect(await server.exited()).toBe(0);
        expect(server.stdout().length).toBe(8 << 20);
        expect(sha256(server.stdout())).toBe(sha256(readFileSync(up)));
      }
    } finally {
      files.remove();
    }
  });

  it('--recv-only: stdin is not read, no FIN; the peer’s data reaches stdout', async () => {
    const peer = await peerServer();
    const proc = tsnc(['--recv-only', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    proc.write('never\n');
    proc.endStdin();
    await quietPeriod(300);
    expect(conn.received().length).toBe(0);
    expect(conn.finSeen()).toBe(false);
    conn.socket.end('data\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('data\n');
    peer.close();
  });
});

const isRoot = process.getuid?.() === 0;
const inCI = process.env['CI'] === 'true';

// A subnet broadcast address exists only on an interface with a broadcast address: one end of a
// veth pair in a namespace the test creates (and deletes). Nothing leaves the namespace.
it.skipIf(!isRoot && !inCI)(
  `-b: sending to a broadcast address needs it${isRoot || inCI ? '' : ' [skipped: needs root for ip netns]'}`,
  async () => {
    const ns = `tsnc-bcast-${process.pid}`;
    const ip = (...args: string[]): void => {
      execFileSync('ip', args, { stdio: 'ignore' });
    };
    ip('netns', 'add', ns);
    try {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'add', 'bc0', 'type', 'veth', 'peer', 'name', 'bc1');
      ip('-n', ns, 'addr', 'add', '10.251.0.1/24', 'brd', '10.251.0.255', 'dev', 'bc0');
      ip('-n', ns, 'link', 'set', 'bc0', 'up');
      ip('-n', ns, 'link', 'set', 'bc1', 'up');
      const inNs = (args: string[]) => start('ip', ['netns', 'exec', ns, process.execPath, CLI, ...args]);
      // As nc.openbsd: connect() itself fails, said with -v.
      const without = inNs(['-u', '-v', '-n', '10.251.0.255', '9']);
      expect(await without.exited()).toBe(1);
      expect(without.stderr()).toBe('tsnc: connect to 10.251.0.255 port 9 (udp) failed: Permission denied\n');
      const withB = inNs(['-u', '-b', '-v', '-n', '10.251.0.255', '9']);
      await withB.stderrLine(/succeeded!/);
      withB.write('hello\n');
      await quietPeriod(200);
      expect(withB.stderr()).toBe('Connection to 10.251.0.255 9 port [udp/*] succeeded!\n');
      withB.kill();
    } finally {
      ip('netns', 'del', ns);
    }
  },
);
