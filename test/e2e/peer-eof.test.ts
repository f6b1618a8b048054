// Rule 2: what the peer's EOF does. tsnc writes everything received, then ends unless stdin is
// still sending; a stdin that carried nothing, a terminal, or an ended stdin never holds it.
import { openSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, start, tsnc, CLI } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerClient, peerServer, quietPeriod } from '../helpers/peer.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

describe('peer EOF, connect mode', () => {
  it('stdin an open pipe that delivered nothing: exits 0 with all data written', async () => {
    const peer = await peerServer();
    const payload = randomPayload(1 << 20);
    const proc = tsnc(['127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    conn.socket.end(payload);
    expect(await proc.exited()).toBe(0);
    expect(sha256(proc.stdout())).toBe(sha256(payload));
    peer.close();
  });

  it('stdin already ended: exits 0 at the peer EOF', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const conn = await peer.accepted();
    conn.socket.end('bye\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('bye\n');
    peer.close();
  });

  it('stdin a terminal: exits 0 at the peer EOF although the terminal stays open', async () => {
    const peer = await peerServer();
    // script(1) gives tsnc a pty as stdin; its stdin (our pipe) stays open, so nothing types EOF.
    const proc = start('script', ['-qfec', `${process.execPath} ${CLI} 127.0.0.1 ${peer.port}`, '/dev/null']);
    const conn = await peer.accepted();
    conn.socket.end('bye\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toContain('bye');
    peer.close();
  });

  it('stdin still sending: keeps forwarding after the peer EOF, then FIN and exit 0', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    proc.write('first\n');
    await conn.receivedAtLeast(6);
    conn.socket.end('peer-done\n'); // the peer half-closes but keeps reading
    await quietPeriod(300);
    expect(proc.child.exitCode).toBeNull();
    proc.write('second\n');
    proc.endStdin();
    await conn.fin;
    conn.socket.destroy();
    expect(await proc.exited()).toBe(0);
    expect(conn.received().toString()).toBe('first\nsecond\n');
    expect(proc.stdout().toString()).toBe('peer-done\n');
    peer.close();
  });

  it('stdin a regular file: the whole file is sent after the peer half-closes at once', async () => {
    const payload = randomPayload(16 << 20);
    const input = openSync(files.file('big', payload), 'r');
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)], { stdio: [input, 'pipe', 'pipe'] });
    const conn = await peer.accepted();
    conn.socket.end(); // like a sender whose own stdin was /dev/null in ncat or busybox
    await conn.fin;
    expect(await proc.exited()).toBe(0);
    expect(sha256(conn.received())).toBe(sha256(payload));
    peer.close();
  });

  it('a write after the peer has gone fails quietly: exit 0, nothing on stderr', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    proc.write('one\n');
    await conn.receivedAtLeast(4);
    conn.socket.destroy();
    // Keep writing until a write meets the reset (bounded: at most 50 lines).
    for (let i = 0; i < 50 && proc.child.exitCode === null; i += 1) {
      proc.write(`line ${i}\n`);
      await quietPeriod(50);
    }
    expect(await proc.exited()).toBe(0);
    expect(proc.stderr()).toBe('');
    peer.close();
  });
});

describe('peer EOF, listen mode (the same rule)', () => {
  it('client sends and closes, listener stdin an open pipe: exits 0 with all data', async () => {
    const { proc, port } = await listener([]);
    const payload = randomPayload(1 << 20);
    const conn = await peerClient(port);
    conn.socket.end(payload);
    expect(await proc.exited()).toBe(0);
    expect(sha256(proc.stdout())).toBe(sha256(payload));
  });

  it('listener stdin still sending: keeps forwarding after the client half-closes', async () => {
    const { proc, port } = await listener([]);
    const conn = await peerClient(port);
    proc.write('a\n');
    await conn.receivedAtLeast(2);
    conn.socket.end('x\n');
    await quietPeriod(300);
    expect(proc.child.exitCode).toBeNull();
    proc.write('b\n');
    proc.endStdin();
    await conn.fin;
    expect(await proc.exited()).toBe(0);
    expect(conn.received().toString()).toBe('a\nb\n');
    expect(proc.stdout().toString()).toBe('x\n');
  });
});
