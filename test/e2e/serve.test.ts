// -l --serve FILE [--count N]: every client gets the whole file, at once, and the
// listener exits after N clients. Peers: the test process and tsnc itself, on loopback and -U.
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerClient } from '../helpers/peer.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const payload = randomPayload(3 * 1024 * 1024 + 17);
const path = files.file('payload.bin', payload);

const connectionsSeen = (stderr: string): number => (stderr.match(/^Connection received on /gm) ?? []).length;

describe('-l --serve FILE', () => {
  it('--count 3: clients served at once, each gets the whole file and a FIN; then no more clients, exit 0', async () => {
    const { proc, port } = await listener(['--serve', path, '--count', '3']);
    // Neither of the first two closes before both have the whole file: only concurrent
    // serving gets both there.
    const a = await peerClient(port);
    const b = await peerClient(port);
    await Promise.all([a.fin, b.fin]);
    expect(sha256(a.received())).toBe(sha256(payload));
    expect(sha256(b.received())).toBe(sha256(payload));
    const c = await peerClient(port);
    await c.fin;
    expect(sha256(c.received())).toBe(sha256(payload));
    // After the third client the listener has stopped listening: a fourth is refused.
    await waitFor(() => connectionsSeen(proc.stderr()) === 3, 'three Connection received lines');
    const fourth = connect({ port, host: '127.0.0.1' });
    const [error] = (await once(fourth, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
    expect(proc.child.exitCode).toBeNull();
    for (const client of [a, b, c]) client.socket.end();
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().length).toBe(0);
  });

  it('tsnc clients, all at once: each stdout is the file; the listener exits after --count', async () => {
    const { proc, port } = await listener(['--serve', path, '--count', '4']);
    const clients = Array.from({ length: 4 }, () =>
      tsnc(['127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    for (const client of clients) {
      expect(await client.exited()).toBe(0);
      expect(sha256(client.stdout())).toBe(sha256(payload));
    }
    expect(await proc.exited()).toBe(0);
    expect(connectionsSeen(proc.stderr())).toBe(4);
  });

  it('without --count: serves client after client and keeps listening', async () => {
    const { proc, port } = await listener(['--serve', path]);
    for (let i = 0; i < 3; i += 1) {
      const client = tsnc(['127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(await client.exited()).toBe(0);
      expect(client.stdout().equals(payload)).toBe(true);
    }
    expect(proc.child.exitCode).toBeNull();
    proc.kill('SIGTERM');
    expect(await proc.exited()).toBe(143);
  });

  it('what a client sends is read and dropped; an empty file is a FIN at once', async () => {
    const empty = files.file('empty', '');
    const { proc, port } = await listener(['--serve', empty, '--count', '1']);
    const client = await peerClient(port);
    client.socket.write(randomPayload(256 * 1024));
    await client.fin;
    expect(client.received().length).toBe(0);
    client.socket.end();
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().length).toBe(0);
  });

  it('-U: over a unix socket', async () => {
    const socketPath = join(files.dir, 'serve.sock');
    const proc = tsnc(['-l', '-v', '-U', socketPath, '--serve', path, '--count', '1']);
    await proc.stderrLine(/Listening on /);
    const client = tsnc(['-U', socketPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await client.exited()).toBe(0);
    expect(client.stdout().equals(payload)).toBe(true);
    expect(await proc.exited()).toBe(0);
  });

  it.each([
    [['--serve', 'f', '127.0.0.1', '1'], 'tsnc: must use -l with --serve\n'],
    [['-l', '-p', '0', '--count', '2'], 'tsnc: must use --serve with --count\n'],
    [['-l', '-p', '0', '--serve', 'f', '--count', '0'], 'tsnc: count too small: 0\n'],
    [['-l', '-p', '0', '--serve', 'f', '--count', 'x'], 'tsnc: count invalid: x\n'],
    [['-lu', '-p', '0', '--serve', 'f'], 'tsnc: cannot use --serve and -u\n'],
    [['-l', '-p', '0', '-e', 'cat', '--serve', 'f'], 'tsnc: cannot use --serve and -e\n'],
    [
      ['-l', '-p', '0', '--serve', '/nonexistent/file'],
      'tsnc: /nonexistent/file: No such file or directory\n',
    ],
    [['-l', '-p', '0', '--serve', '/tmp'], 'tsnc: /tmp: not a regular file\n'],
  ])('%j: one line, exit 1', async (args, line) => {
    const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe(line);
  });
});
