// -e/-c: the program's stdin/stdout is the connection, its stderr is tsnc's, no shell for -e,
// and -k serves clients at once, at most -m of them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc, waitFor } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { peerClient, peerServer } from '../helpers/peer.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

describe('-e and -c, listen mode', () => {
  it('-e /bin/cat echoes; the peer EOF reaches cat, cat exits, FIN, tsnc exits 0', async () => {
    const { proc, port } = await listener(['-e', '/bin/cat']);
    const conn = await peerClient(port);
    conn.socket.end('hello\n');
    await conn.fin;
    expect(conn.received().toString()).toBe('hello\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('');
  });

  it('-e splits arguments and runs no shell: $(…), ; and quotes reach the program as text', async () => {
    const marker = join(files.dir, 'injected');
    const { port } = await listener(['-e', `/bin/echo "$(touch ${marker})" ; 'two words'`]);
    const conn = await peerClient(port);
    await conn.fin;
    expect(conn.received().toString()).toBe(`$(touch ${marker}) ; two words\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it('what the peer sends is data for the program, never a command', async () => {
    const marker = join(files.dir, 'from-peer');
    const { port } = await listener(['-e', '/bin/cat']);
    const conn = await peerClient(port);
    conn.socket.end(`$(touch ${marker}); touch ${marker}\n`);
    await conn.fin;
    expect(conn.received().toString()).toBe(`$(touch ${marker}); touch ${marker}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it("-c runs /bin/sh -c; the program's stderr is tsnc's stderr", async () => {
    const { proc, port } = await listener(['-c', 'echo $((40 + 2)); cat >&2']);
    const conn = await peerClient(port);
    conn.socket.end('to-stderr\n');
    await conn.fin;
    expect(conn.received().toString()).toBe('42\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stderr()).toContain('to-stderr\n');
  });

  it('a program that cannot be run: one line, the client is closed, exit 1', async () => {
    const { proc, port } = await listener(['-e', '/nonexistent/program']);
    const conn = await peerClient(port);
    await conn.fin;
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toContain('tsnc: exec /nonexistent/program failed: No such file or directory\n');
  });
});

describe('-e, connect mode', () => {
  it('the program talks to the server; tsnc stdin and stdout are not used', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-e', '/bin/cat', '127.0.0.1', String(peer.port)]);
    proc.write('never-sent\n');
    const conn = await peer.accepted();
    conn.socket.write('ping\n');
    await conn.receivedAtLeast(5);
    expect(conn.received().toString()).toBe('ping\n');
    conn.socket.end();
    await conn.fin;
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('');
    peer.close();
  });
});

describe('-k with -e: concurrent clients, -m', () => {
  it('two clients are served at the same time, each by its own program', async () => {
    const { proc, port } = await listener(['-k', '-e', '/bin/cat']);
    const a = await peerClient(port);
    const b = await peerClient(port);
    b.socket.write('b-first\n');
    await b.receivedAtLeast(8);
    a.socket.write('a-second\n');
    await a.receivedAtLeast(9);
    expect(a.received().toString()).toBe('a-second\n');
    expect(b.received().toString()).toBe('b-first\n');
    a.socket.end();
    b.socket.end();
    await Promise.all([a.fin, b.fin]);
    expect(proc.child.exitCode).toBeNull();
  });

  it('-m 1: a second client at the same time is refused (closed at once), logged with -v', async () => {
    const { proc, port } = await listener(['-k', '-m', '1', '-e', '/bin/cat']);
    const a = await peerClient(port);
    a.socket.write('a\n');
    await a.receivedAtLeast(2);
    const b = await peerClient(port);
    b.socket.write('b\n');
    // Closed at once: a FIN if tsnc closed it before 'b' arrived, else a reset.
    await Promise.race([b.fin, b.closed]);
    expect(b.received().toString()).toBe('');
    await proc.stderrLine(/Refused connection from 127\.0\.0\.1 \d+: already 1 connections \(-m\)\n/);
    // Once the first one is done, there is room again.
    a.socket.end();
    await a.fin;
    await waitFor(() => proc.stderr().split('Connection received').length === 2, 'the first session only');
    let c = await peerClient(port);
    for (let i = 0; i < 50 && c.received().length === 0; i += 1) {
      c.socket.write('c\n');
      try {
        await c.receivedAtLeast(2, 200);
      } catch {
        // The first session may not have ended yet: try a new connection.
        c.socket.destroy();
        c = await peerClient(port);
      }
    }
    expect(c.received().toString()).toMatch(/^(c\n)+$/);
  });
});
