// Faults of the peer: it resets mid-transfer (SO_LINGER 0), it is killed with SIGKILL,
// or its host disappears (a veth link taken down, or every packet dropped with nft, between two
// network namespaces the test makes). tsnc ends with the documented code (0: nc treats all of
// these as the end of the session) at once, or within -w when the peer just goes silent, and
// what it wrote is an exact prefix of what the peer sent (sha256).
import { openSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, listener, start, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerClient, peerServer } from '../helpers/peer.js';
import { AT_ONCE_MS, canUseRoot, elapsed, itAsRoot, Netns, PEER, pidOf, ROOT_NOTE, vethPair } from './kit.js';

/** The fault-injecting peer (kit's PEER) as a process of its own. */
const peerProcess = (...args: string[]): Proc => start(process.execPath, [PEER, ...args]);

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const payload = randomPayload(16 << 20);
const payloadFile = files.file('payload.bin', payload);

/** What tsnc wrote is the start of what the peer sent, byte for byte. */
const expectPrefix = (got: Buffer, sent: Buffer = payload): void => {
  expect(got.length).toBeLessThanOrEqual(sent.length);
  expect(sha256(got)).toBe(sha256(sent.subarray(0, got.length)));
};

/** The fixture peer's `ready PORT` line. */
const readyPort = async (peer: Proc): Promise<number> => {
  await waitFor(() => /ready \d+\n/.test(peer.stdout().toString()), 'the peer to be ready');
  return Number(/ready (\d+)/.exec(peer.stdout().toString())?.[1]);
};

describe('the peer resets the connection mid-transfer (SO_LINGER 0)', () => {
  it('connect mode, tsnc receiving: exit 0 at once, stdout an exact prefix', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    conn.socket.write(payload);
    await waitFor(() => proc.stdout().length >= 1 << 20, '1 MiB on stdout');
    conn.socket.resetAndDestroy();
    const since = Date.now();
    expect(await proc.exited(AT_ONCE_MS)).toBe(0);
    expect(elapsed(since)).toBeLessThan(AT_ONCE_MS / 1000);
    expectPrefix(proc.stdout());
    expect(proc.stderr()).toBe('');
    peer.close();
  });

  it('listen mode, tsnc receiving: exit 0 at once, stdout an exact prefix', async () => {
    const { proc, port } = await listener([]);
    const conn = await peerClient(port);
    conn.socket.write(payload);
    await waitFor(() => proc.stdout().length >= 1 << 20, '1 MiB on stdout');
    conn.socket.resetAndDestroy();
    expect(await proc.exited(AT_ONCE_MS)).toBe(0);
    expectPrefix(proc.stdout());
  });

  it('connect mode, tsnc sending a file: exit 0 at once, the peer got an exact prefix', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)], {
      stdio: [openSync(payloadFile, 'r'), 'pipe', 'pipe'],
    });
    const conn = await peer.accepted();
    await conn.receivedAtLeast(1 << 20);
    conn.socket.resetAndDestroy();
    expect(await proc.exited(AT_ONCE_MS)).toBe(0);
    expectPrefix(conn.received());
    expect(proc.stderr()).toBe('');
    peer.close();
  });

  it('-k listener: a client that resets mid-transfer ends only its session; the next is served', async () => {
    const { proc, port } = await listener(['-k'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = await peerClient(port);
    first.socket.write(payload);
    await waitFor(() => proc.stdout().length >= 1 << 20, '1 MiB on stdout');
    first.socket.resetAndDestroy();
    const second = await peerClient(port);
    second.socket.end('next\n');
    await second.fin;
    await waitFor(() => proc.stdout().toString('latin1').endsWith('next\n'), 'the second client on stdout');
    // stderr is another pipe: its line for the second session may come a moment later.
    await waitFor(() => proc.stderr().split('Connection received').length === 3, 'two sessions on stderr');
    // Everything before the second client's line is a prefix of what the first one sent.
    expectPrefix(proc.stdout().subarray(0, -5));
    expect(proc.child.exitCode).toBeNull();
  });

  // Was a bug (fixed; see docs/reliability.md): with -v, a reset ends the session as silently as without it (rc 0 as nc, fine), so a
  // user cannot tell a reset from a normal end. Proposed (only with -v, after the exit code is
  // decided): `tsnc: read from 127.0.0.1 port P (tcp) failed: Connection reset by peer`.
  it('-v says the peer reset the connection', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-v', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    conn.socket.write(payload.subarray(0, 1 << 20));
    await waitFor(() => proc.stdout().length > 0, 'data on stdout');
    conn.socket.resetAndDestroy();
    expect(await proc.exited(AT_ONCE_MS)).toBe(0);
    expect(proc.stderr()).toMatch(
      /^Connection to 127\.0\.0\.1 \d+ port \[tcp\/[^\]]+\] succeeded!\ntsnc: .*[Rr]eset.*\n$/,
    );
    peer.close();
  });
});

describe('the peer is killed with SIGKILL', () => {
  it('connect mode: the kernel closes its socket (FIN); tsnc exits 0 at once, stdout an exact prefix', async () => {
    const peer = peerProcess('serve', '127.0.0.1', '0', payloadFile, '--pace', '10');
    const port = await readyPort(peer);
    const proc = tsnc(['127.0.0.1', String(port)]);
    await waitFor(() => proc.stdout().length >= 512 << 10, '512 KiB on stdout');
    process.kill(pidOf(peer), 'SIGKILL');
    expect(await proc.exited(AT_ONCE_MS)).toBe(0);
    expectPrefix(proc.stdout());
    expect(proc.stdout().length).toBeLessThan(payload.length);
    expect(proc.stderr()).toBe('');
  });

  it('connect mode, data unread by the peer (so the kernel sends RST): exit 0 at once, exact prefix', async () => {
    const peer = peerProcess('serve', '127.0.0.1', '0', payloadFile, '--pace', '10', '--no-read');
    const port = await readyPort(peer);
    const proc = tsnc(['127.0.0.1', String(port)]);
    proc.write(randomPayload(64 << 10));
    await waitFor(() => proc.stdout().length >= 512 << 10, '512 KiB on stdout');
    process.kill(pidOf(peer), 'SIGKILL');
    // stdin stays open and has carried data: the RST, not the EOF, is what must end tsnc.
    expect(await proc.exited(AT_ONCE_MS)).toBe(0);
    expectPrefix(proc.stdout());
    expect(proc.stderr()).toBe('');
  });

  it('listen mode: exit 0 at once, stdout an exact prefix', async () => {
    const { proc, port } = await listener([]);
    const peer = peerProcess('connect', '127.0.0.1', String(port), payloadFile, '--pace', '10');
    await waitFor(() => proc.stdout().length >= 512 << 10, '512 KiB on stdout');
    process.kill(pidOf(peer), 'SIGKILL');
    expect(await proc.exited(AT_ONCE_MS)).toBe(0);
    expectPrefix(proc.stdout());
  });

  it('tsnc sending a file to a peer that is killed: exit 0 at once', async () => {
    const { proc, port } = await listener([], { stdio: [openSync(payloadFile, 'r'), 'pipe', 'pipe'] });
    // A peer that sends slowly and never reads: tsnc's writes fill its buffers, then it dies.
    const peer = peerProcess('connect', '127.0.0.1', String(port), payloadFile, '--pace', '50', '--no-read');
    await waitFor(() => proc.stdout().length > 0, 'the peer to be connected');
    process.kill(pidOf(peer), 'SIGKILL');
    expect(await proc.exited(AT_ONCE_MS)).toBe(0);
    expectPrefix(proc.stdout());
    // listener() runs with -v: the reset is said, and is still a normal end (status 0).
    expect(proc.stderr()).toMatch(
      /^Listening on [^\n]+\nConnection received on [^\n]+\ntsnc: (read from|write to) 127\.0\.0\.1 port \d+ \(tcp\) failed: (Connection reset by peer|Broken pipe)\n$/,
    );
  });
});

describe.skipIf(!canUseRoot)(`the peer's host disappears (two test netns, veth)${ROOT_NOTE}`, () => {
  const a = new Netns('vanish-a');
  const b = new Netns('vanish-b');
  let addrB = '';
  let addrA = '';
  beforeAll(() => {
    a.create();
    b.create();
    ({ addrA, addrB } = vethPair(a, b, 241));
  });
  afterEach(() => {
    // Bring B back for the next test, whatever this one did to it.
    b.ip('link', 'set', 'vb', 'up');
    try {
      b.exec('nft', 'delete', 'table', 'inet', 'tsnc_vanish');
    } catch {
      // Not made by this test.
    }
  });
  afterAll(async () => {
    await a.remove();
    await b.remove();
  });

  const vanish = {
    'veth link down': () => b.ip('link', 'set', 'vb', 'down'),
    'nft drops every packet': () =>
      b.exec(
        'nft',
        'add table inet tsnc_vanish; add chain inet tsnc_vanish in { type filter hook input priority 0; policy drop; }; add chain inet tsnc_vanish out { type filter hook output priority 0; policy drop; }',
      ),
  } as const;

  for (const [how, makeVanish] of Object.entries(vanish)) {
    itAsRoot(`${how}, tsnc -w 2 receiving: exit 0 within -w + 5 s, stdout an exact prefix`, async () => {
      const peer = b.start(process.execPath, [PEER, 'serve', addrB, '0', payloadFile, '--pace', '20']);
      const port = await readyPort(peer);
      const proc = a.tsnc(['-w', '2', addrB, String(port)]);
      await waitFor(() => proc.stdout().length >= 256 << 10, '256 KiB on stdout');
      makeVanish();
      const since = Date.now();
      expect(await proc.exited(2000 + AT_ONCE_MS)).toBe(0);
      expect(elapsed(since)).toBeLessThan(2 + AT_ONCE_MS / 1000);
      expectPrefix(proc.stdout());
      expect(proc.stdout().length).toBeLessThan(payload.length);
      expect(proc.stderr()).toBe('');
    });
  }

  itAsRoot('veth link down, tsnc -w 2 sending a file: exit 0 within -w + 5 s', async () => {
    const peer = b.start(process.execPath, [PEER, 'serve', addrB, '0', payloadFile, '--pace', '1000']);
    const port = await readyPort(peer);
    const proc = a.tsnc(['-w', '2', addrB, String(port)], {
      stdio: [openSync(payloadFile, 'r'), 'pipe', 'pipe'],
    });
    await waitFor(() => proc.stdout().length > 0, 'the first chunk from the peer');
    vanish['veth link down']();
    expect(await proc.exited(2000 + AT_ONCE_MS)).toBe(0);
    expectPrefix(proc.stdout());
  });

  itAsRoot('nft drop, listen mode -w 2: exit 0 within -w + 5 s, stdout an exact prefix', async () => {
    const proc = a.tsnc(['-l', '-v', '-n', '-w', '2', '-p', '0']);
    const port = Number((await proc.stderrLine(/Listening on \S+ (\d+)\n/))[1]);
    b.start(process.execPath, [PEER, 'connect', addrA, String(port), payloadFile, '--pace', '20']);
    await waitFor(() => proc.stdout().length >= 256 << 10, '256 KiB on stdout');
    vanish['nft drops every packet']();
    expect(await proc.exited(2000 + AT_ONCE_MS)).toBe(0);
    expectPrefix(proc.stdout());
  });

  // Was a bug (fixed; see docs/reliability.md): with -v the idle timeout ends the session without a word (rc 0 as nc.openbsd), so the
  // user cannot tell "peer vanished" from "peer finished". Proposed (only with -v):
  // `tsnc: connection to 10.241.0.2 port P (tcp) timed out: no data for 2 s`.
  itAsRoot('-v says the connection timed out when the host vanished', async () => {
    const peer = b.start(process.execPath, [PEER, 'serve', addrB, '0', payloadFile, '--pace', '20']);
    const port = await readyPort(peer);
    const proc = a.tsnc(['-v', '-n', '-w', '2', addrB, String(port)]);
    await waitFor(() => proc.stdout().length >= 256 << 10, '256 KiB on stdout');
    vanish['veth link down']();
    expect(await proc.exited(2000 + AT_ONCE_MS)).toBe(0);
    expect(proc.stderr()).toMatch(/succeeded!\ntsnc: .*timed out.*\n$/);
  });
});
