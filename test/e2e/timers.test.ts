// Rules 3 and 4: -q (quit after stdin EOF) and -w (connect timeout, idle timeout).
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { itAsRoot, Netns } from '../helpers/netns.js';
import { peerClient, peerServer, quietPeriod } from '../helpers/peer.js';

const CHATTY_PEER = fileURLToPath(new URL('fixtures/chatty-peer.py', import.meta.url));

afterEach(killAll);

describe('-q: quit after stdin EOF', () => {
  it('-q 1: FIN, then exits although the peer never closes', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-q', '1', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    proc.write('x\n');
    proc.endStdin();
    await conn.fin;
    expect(await proc.exited(10_000)).toBe(0);
    peer.close();
  });

  it('-q 600: exits when the peer finishes, not after the timer', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-q', '600', '127.0.0.1', String(peer.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const conn = await peer.accepted();
    await conn.fin;
    conn.socket.end('reply\n');
    expect(await proc.exited(10_000)).toBe(0);
    expect(proc.stdout().toString()).toBe('reply\n');
    peer.close();
  });

  it('-q 0: exits as soon as stdin is flushed, peer still open', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-q', '0', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    proc.write('payload\n');
    proc.endStdin();
    expect(await proc.exited(10_000)).toBe(0);
    await conn.fin;
    expect(conn.received().toString()).toBe('payload\n');
    peer.close();
  });

  it('-q 0 to a peer that is still sending: the close waits until everything sent is acknowledged', async () => {
    // A close with the peer's data unread is a reset, and the kernel drops what of ours it has not
    // delivered yet: tsnc first drops what arrives until the peer has acknowledged all of it.
    const files = scratch();
    try {
      const up = randomPayload(8 << 20);
      const file = files.file('up', up);
      for (let round = 0; round < 3; round += 1) {
        const peer = start('python3', [CHATTY_PEER]);
        await waitFor(() => peer.stdout().includes(10), 'the peer to listen');
        const port = peer.stdout().toString().trim();
        const client = tsnc(['-q', '0', '127.0.0.1', port], {
          stdio: [openSync(file, 'r'), 'ignore', 'pipe'],
        });
        expect(await client.exited()).toBe(0);
        expect(await peer.exited()).toBe(0);
        expect(peer.stdout().toString()).toContain(`received ${up.length} ${sha256(up)}`);
      }
    } finally {
      files.remove();
    }
  });

  it('-q 0 to a peer that stopped reading: the wait for acknowledgements gives up, exit 0', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-q', '0', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    conn.socket.pause();
    // Small enough for the kernel to take it all (no backpressure), too big for the peer's window.
    proc.write(randomPayload(1 << 20));
    proc.endStdin();
    expect(await proc.exited(15_000)).toBe(0);
    peer.close();
  });

  it('-q -1: waits for the peer (no timer, no implied FIN)', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-q', '-1', '127.0.0.1', String(peer.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const conn = await peer.accepted();
    await quietPeriod(1200);
    expect(proc.child.exitCode).toBeNull();
    expect(conn.finSeen()).toBe(false);
    conn.socket.end();
    expect(await proc.exited()).toBe(0);
    peer.close();
  });

  it('-q 1 in listen mode: the timer starts at the session, not before a client comes', async () => {
    const { proc, port } = await listener(['-q', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await quietPeriod(1500);
    expect(proc.child.exitCode).toBeNull();
    const conn = await peerClient(port);
    await conn.fin;
    expect(await proc.exited(10_000)).toBe(0);
  });
});

describe('-w: timeouts', () => {
  it('idle timeout once connected: exits 0 after the silence, stdin held open', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-w', '1', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    expect(await proc.exited(10_000)).toBe(0);
    await conn.fin;
    peer.close();
  });

  it('idle timeout in listen mode, after a silent client connects', async () => {
    const { proc, port } = await listener(['-w', '1']);
    await peerClient(port);
    expect(await proc.exited(10_000)).toBe(0);
  });

  it('traffic keeps resetting the idle timer', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-w', '1', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    for (let i = 0; i < 6; i += 1) {
      conn.socket.write(`tick${i}\n`);
      await quietPeriod(400);
    }
    expect(proc.child.exitCode).toBeNull();
    conn.socket.end();
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toContain('tick5');
    peer.close();
  });

  it('does not limit the wait for a client in listen mode', async () => {
    const { proc, port } = await listener(['-w', '1']);
    await quietPeriod(1500);
    expect(proc.child.exitCode).toBeNull();
    const conn = await peerClient(port);
    conn.socket.end('late\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('late\n');
  });

  // A black hole: an address on a veth link where nobody answers, inside a network namespace
  // this test creates (and deletes). Root only; required under CI.
  itAsRoot('connect timeout to a black hole: exit 1, the nc message with -v', async () => {
    const ns = new Netns('bh').create();
    try {
      ns.ip('link', 'add', 'hole0', 'type', 'veth', 'peer', 'name', 'hole1');
      ns.ip('addr', 'add', '10.250.0.1/24', 'dev', 'hole0');
      ns.ip('link', 'set', 'hole0', 'up');
      ns.ip('link', 'set', 'hole1', 'up');
      const proc = ns.tsnc(['-v', '-w', '1', '10.250.0.2', '9']);
      expect(await proc.exited(10_000)).toBe(1);
      expect(proc.stderr()).toBe(
        'tsnc: connect to 10.250.0.2 port 9 (tcp) timed out: Operation now in progress\n',
      );
    } finally {
      await ns.remove();
    }
  });
});
