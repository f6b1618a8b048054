// --allow/--deny (and their files): a refused peer is closed at once and logged with -v.
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc, waitFor } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { udpPeer } from '../helpers/udp.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

/** Connect from a given loopback address; resolve with what arrived and whether it closed at once. */
const visit = async (
  port: number,
  from: string,
  send: string,
): Promise<{ received: string; closed: boolean }> => {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from, allowHalfOpen: true });
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
  });
  socket.on('error', () => undefined);
  socket.write(send);
  // Closed by tsnc: its FIN (or a reset) arrives at once; an accepted peer hears nothing.
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 1500);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('end', done);
    socket.once('close', done);
  });
  socket.destroy();
  return { received, closed };
};

describe('--allow / --deny', () => {
  it('--allow: only the listed peer gets in; the other is closed at once and logged', async () => {
    const { proc, port } = await listener(['-k', '--allow', '127.0.0.2']);
    const refused = await visit(port, '127.0.0.1', 'not-me\n');
    expect(refused.closed).toBe(true);
    await proc.stderrLine(/Refused connection from 127\.0\.0\.1 \d+: not in --allow\n/);
    const allowed = await visit(port, '127.0.0.2', 'me\n');
    expect(allowed.closed).toBe(false);
    await waitFor(() => proc.stdout().toString() === 'me\n', "the allowed peer's line");
  });

  it('--deny with a CIDR network refuses the peers in it', async () => {
    const { proc, port } = await listener(['-k', '--deny', '127.0.0.0/30']);
    expect((await visit(port, '127.0.0.2', 'x\n')).closed).toBe(true);
    await proc.stderrLine(/Refused connection from 127\.0\.0\.2 \d+: in --deny\n/);
    expect((await visit(port, '127.0.0.9', 'ok\n')).closed).toBe(false);
    await waitFor(() => proc.stdout().toString() === 'ok\n', 'the line of a peer outside the network');
  });

  it('--allowfile and --denyfile: one entry per line, # comments; names are resolved (localhost)', async () => {
    const allow = files.file('allow', '# loopback only\n127.0.0.0/8\n');
    const deny = files.file('deny', 'localhost # 127.0.0.1\n');
    // Without -n: the name in the deny file is looked up (in /etc/hosts).
    const proc = tsnc(['-l', '-k', '-v', '--allowfile', allow, '--denyfile', deny, '-p', '0']);
    const port = Number((await proc.stderrLine(/Listening on \S+ (\d+)\n/))[1]);
    expect((await visit(port, '127.0.0.1', 'x\n')).closed).toBe(true);
    expect((await visit(port, '127.0.0.3', 'three\n')).closed).toBe(false);
    await waitFor(() => proc.stdout().toString() === 'three\n', 'the line of 127.0.0.3');
  });

  it('a missing file: one line, exit 1, before listening', async () => {
    const proc = tsnc(['-l', '-v', '--allowfile', `${files.dir}/nope`, '-p', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe(`tsnc: ${files.dir}/nope: No such file or directory\n`);
  });

  it('-u -l: a refused sender does not become the peer', async () => {
    const proc = tsnc(['-u', '-l', '-v', '-n', '--allow', '127.0.0.2', '-p', '0']);
    const port = Number((await proc.stderrLine(/Bound on \S+ (\d+)\n/))[1]);
    const refused = await udpPeer();
    await refused.send('not-me\n', port);
    await proc.stderrLine(/Refused connection from 127\.0\.0\.1 \d+: not in --allow\n/);
    const { createSocket } = await import('node:dgram');
    const allowed = createSocket('udp4');
    allowed.bind(0, '127.0.0.2');
    await once(allowed, 'listening');
    allowed.send('me\n', port, '127.0.0.1');
    await waitFor(() => proc.stdout().toString() === 'me\n', "the allowed sender's datagram");
    allowed.close();
    refused.close();
  });
});
