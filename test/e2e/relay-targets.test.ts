// --relay's TARGET forms and the listening options it keeps: [v6addr]:port, tcp://host:port,
// -6 -s ::1 and -s ADDR listeners, --allow/--deny before any connection to the target, and
// backpressure from a target that does not read (the client's sends stop; nothing is lost).
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, waitFor } from '../helpers/cli.js';
import { randomPayload } from '../helpers/data.js';
import { peerClient, peerServer, quietPeriod } from '../helpers/peer.js';
import { relayListener, writeUntilStalled } from '../helpers/relay.js';

afterEach(killAll);

const MiB = 1024 * 1024;

/** One round trip through the relay: the client's line arrives, the backend's answer comes back. */
const roundTrip = async (
  relayPort: number,
  backend: Awaited<ReturnType<typeof peerServer>>,
  host = '127.0.0.1',
): Promise<void> => {
  const client = await peerClient(relayPort, host);
  client.socket.end('ping\n');
  const conn = await backend.accepted();
  await conn.fin;
  expect(conn.received().toString()).toBe('ping\n');
  conn.socket.end('pong\n');
  await client.fin;
  expect(client.received().toString()).toBe('pong\n');
  await client.closed;
};

describe('--relay targets and listening options', () => {
  it('[::1]:port: relayed to an IPv6 backend, the -v line names ::1', async () => {
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => socket.end(Buffer.concat([Buffer.from('v6:'), ...chunks])));
    });
    server.listen(0, '::1');
    await once(server, 'listening');
    const backendPort = (server.address() as AddressInfo).port;
    const { proc, port } = await relayListener(`[::1]:${backendPort}`, ['-k']);
    const client = await peerClient(port);
    client.socket.end('hello');
    await client.fin;
    expect(client.received().toString()).toBe('v6:hello');
    expect(proc.stderr()).toMatch(new RegExp(`^Relay to ::1 port ${backendPort} \\(tcp\\) connected$`, 'm'));
    server.close();
  });

  it('tcp://host:port is host:port', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`tcp://127.0.0.1:${backend.port}`, ['-k']);
    await roundTrip(port, backend);
    expect(proc.stderr()).toMatch(/^Relay to 127\.0\.0\.1 port \d+ \(tcp\) connected$/m);
    backend.close();
  });

  it('-6 -s ::1: an IPv6 listener in front of an IPv4 backend', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k', '-6', '-s', '::1']);
    expect(proc.stderr()).toMatch(new RegExp(`^Listening on ::1 ${port}$`, 'm'));
    await roundTrip(port, backend, '::1');
    expect(proc.stderr()).toMatch(/^Connection received on ::1 \d+$/m);
    backend.close();
  });

  it('-s 127.0.0.1: bound to that address only', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k', '-s', '127.0.0.1']);
    expect(proc.stderr()).toMatch(new RegExp(`^Listening on 127\\.0\\.0\\.1 ${port}$`, 'm'));
    await roundTrip(port, backend);
    backend.close();
  });

  it('--allow: a client outside the list is refused without a connection to the target; one inside is relayed', async () => {
    const backend = await peerServer();
    let connections = 0;
    backend.server.on('connection', () => {
      connections += 1;
    });
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k', '--allow', '127.0.0.2']);
    const outside = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
    outside.on('error', () => undefined);
    outside.on('data', () => undefined);
    await once(outside, 'close');
    await waitFor(() => /^Refused connection from 127\.0\.0\.1 \d+/m.test(proc.stderr()), 'the refusal line');
    expect(connections).toBe(0);
    const inside = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2', allowHalfOpen: true });
    await once(inside, 'connect');
    inside.end('allowed\n');
    const conn = await backend.accepted();
    await conn.fin;
    expect(conn.received().toString()).toBe('allowed\n');
    expect(connections).toBe(1);
    conn.socket.end();
    inside.destroy();
    backend.close();
  });

  it('--deny: a denied client never reaches the target', async () => {
    const backend = await peerServer();
    let connections = 0;
    backend.server.on('connection', () => {
      connections += 1;
    });
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k', '--deny', '127.0.0.1']);
    const denied = connect({ port, host: '127.0.0.1' });
    denied.on('error', () => undefined);
    denied.on('data', () => undefined);
    await once(denied, 'close');
    await waitFor(() => /^Refused connection from 127\.0\.0\.1 \d+/m.test(proc.stderr()), 'the refusal line');
    await quietPeriod(200);
    expect(connections).toBe(0);
    backend.close();
  });

  it("backpressure the other way: a target that does not read stops the client's sends; all arrives once it reads", async () => {
    const backend = await peerServer();
    const { port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
    const client = await peerClient(port);
    const conn = await backend.accepted();
    conn.socket.pause();
    const total = 128 * MiB;
    const block = randomPayload(MiB);
    // The client's writes stall once the kernel buffers of both hops and the relay's own are
    // full: far below the 128 MiB (the relay does not read ahead into memory).
    const written = await writeUntilStalled(client.socket, total, block);
    expect(written).toBeLessThan(64 * MiB);
    conn.socket.resume();
    await conn.fin;
    expect(conn.received().length).toBe(total);
    const received = conn.received();
    for (let offset = 0; offset < total; offset += MiB) {
      if (!received.subarray(offset, offset + MiB).equals(block)) throw new Error(`MiB at ${offset} differs`);
    }
    conn.socket.end();
    await client.closed.catch(() => undefined);
    backend.close();
  });
});
