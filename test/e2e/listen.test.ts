// Rules 5 and 6: -k keeps listening, one client at a time; the listen syntaxes and the bind
// address (0.0.0.0 only by default, as nc.openbsd; :: with -6).
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc, waitFor } from '../helpers/cli.js';
import { freePort, peerClient, quietPeriod } from '../helpers/peer.js';

afterEach(killAll);

/** Try a connection: 'ok' or the error code. */
const probe = (host: string, port: number): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.on('connect', () => {
      socket.destroy();
      resolve('ok');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });

const hasIpv6Loopback = async (): Promise<boolean> => {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => {
      server.close();
      resolve(true);
    });
  });
};

describe('-k: keep listening', () => {
  it('serves clients one after another and keeps running after stdin EOF', async () => {
    const { proc, port } = await listener(['-k'], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const name of ['one', 'two', 'three']) {
      const conn = await peerClient(port);
      conn.socket.end(`${name}\n`);
      await conn.fin;
    }
    await waitFor(() => proc.stdout().toString() === 'one\ntwo\nthree\n', 'all three lines on stdout');
    expect(proc.child.exitCode).toBeNull();
    proc.kill('SIGTERM');
    expect(await proc.exited()).toBe(143);
  });

  it('a second client waits until the first ends; stdin goes to the current client', async () => {
    const { proc, port } = await listener(['-k']);
    const first = await peerClient(port);
    const second = await peerClient(port);
    second.socket.write('from-second\n');
    proc.write('to-first\n');
    await first.receivedAtLeast(9);
    await quietPeriod(300);
    // The second client is accepted by the kernel but not served: nothing of it is read yet.
    expect(proc.stdout().toString()).toBe('');
    expect(second.received().length).toBe(0);
    first.socket.end('from-first\n');
    await waitFor(() => proc.stdout().length > 0, "the first client's line on stdout");
    // stdin is still open and has carried data, so the session lasts until a write to the
    // first client fails (rule 2): the first client closing for good makes the next write reset.
    first.socket.destroy();
    for (let i = 0; i < 50 && !proc.stdout().toString().includes('from-second'); i += 1) {
      proc.write('probe\n');
      await quietPeriod(50);
    }
    expect(proc.stdout().toString()).toBe('from-first\nfrom-second\n');
    proc.write('to-second\n');
    proc.endStdin();
    await second.fin;
    // Probe lines written after the switch reach the second client too; none is lost there.
    expect(second.received().toString()).toMatch(/^(probe\n)*to-second\n$/);
    expect(first.received().toString()).toBe('to-first\n');
    second.socket.end();
    await quietPeriod(200);
    expect(proc.child.exitCode).toBeNull();
  });

  it('without -k: one session, then exit; a later client is refused', async () => {
    const { proc, port } = await listener([]);
    const conn = await peerClient(port);
    conn.socket.end('only\n');
    expect(await proc.exited()).toBe(0);
    expect(await probe('127.0.0.1', port)).toBe('ECONNREFUSED');
  });
});

describe('listen syntaxes and bind address', () => {
  it.each([
    ['-l -p PORT', (p: string) => ['-l', '-p', p]],
    ['-l PORT', (p: string) => ['-l', p]],
    ['-l ADDR PORT', (p: string) => ['-l', '127.0.0.1', p]],
    ['-l -s ADDR -p PORT', (p: string) => ['-l', '-s', '127.0.0.1', '-p', p]],
    ['-lvnp PORT (clustered)', (p: string) => ['-lvnp', p]],
    ['-lp PORT glued', (p: string) => ['-lp' + p]],
  ])('%s', async (_name, args) => {
    const port = await freePort();
    const proc = tsnc([...args(String(port)), '-v']);
    await proc.stderrLine(/Listening on /);
    const conn = await peerClient(port);
    conn.socket.end('hi\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('hi\n');
  });

  it('binds 0.0.0.0 only by default: IPv6 loopback is refused', async (context) => {
    if (!(await hasIpv6Loopback())) context.skip();
    const { port } = await listener([]);
    expect(await probe('::1', port)).toBe('ECONNREFUSED');
    expect(await probe('127.0.0.1', port)).toBe('ok');
  });

  it('-6 binds :: and prints it', async (context) => {
    if (!(await hasIpv6Loopback())) context.skip();
    const { proc, port } = await listener(['-6']);
    expect(proc.stderr()).toContain(`Listening on :: ${port}`);
    expect(await probe('::1', port)).toBe('ok');
  });

  it('-s 127.0.0.1 keeps it local and names it by reverse lookup without -n', async () => {
    const port = await freePort();
    const proc = tsnc(['-l', '-v', '-s', '127.0.0.1', '-p', String(port)]);
    await proc.stderrLine(new RegExp(`Listening on localhost ${port}\\n`));
    const conn = await peerClient(port);
    await proc.stderrLine(/Connection received on localhost \d+\n/);
    conn.socket.end();
    expect(await proc.exited()).toBe(0);
  });

  it('-p 0 listens on a free port and prints the real one', async () => {
    const { proc, port } = await listener(['-p', '0']);
    expect(port).toBeGreaterThan(0);
    expect(proc.stderr()).toBe(`Listening on 0.0.0.0 ${port}\n`);
  });
});
