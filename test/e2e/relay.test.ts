// -l [-k] --relay host:port: a port forwarder in one process. Each client gets its own new
// connection to the target; FIN, reset and backpressure pass through (io/bridge.ts's table).
// Peers: python3 (relay-peer.py), nc.openbsd, socat, and the test process's own sockets.
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, start, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { closedWith, freePort, peerClient, peerServer, quietPeriod } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';
import {
  peerLines,
  pythonBackend,
  RELAY_PEER,
  relayListener,
  tcpUp,
  writeUntilStalled,
} from '../helpers/relay.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const MiB = 1024 * 1024;

describe('--relay host:port, TCP to TCP', () => {
  itWithPeer('nc.openbsd')(
    'nc.openbsd client, python3 backend: 64 MiB each way at the same time, sha-equal both ways',
    async () => {
      const backend = await pythonBackend('server', 64 * MiB);
      const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`);
      const upload = randomPayload(64 * MiB);
      const input = files.file('upload.bin', upload);
      const output = files.file('download.bin', '');
      const client = start('nc.openbsd', ['-N', '127.0.0.1', String(port)], {
        stdio: [openSync(input, 'r'), openSync(output, 'w'), 'pipe'],
      });
      expect(await client.exited(60_000)).toBe(0);
      // Without -k: one client, then tsnc exits 0 (the relay ended with both EOFs).
      expect(await proc.exited(20_000)).toBe(0);
      await waitFor(() => peerLines(backend.proc).length === 1, 'the backend line');
      const [line] = peerLines(backend.proc);
      expect(line?.receivedBytes).toBe(64 * MiB);
      expect(line?.receivedSha).toBe(sha256(upload));
      const { readFileSync } = await import('node:fs');
      const downloaded = readFileSync(output);
      expect(downloaded.length).toBe(64 * MiB);
      expect(sha256(downloaded)).toBe(line?.sentSha);
      expect(proc.stderr()).toMatch(/^Relay to 127\.0\.0\.1 port \d+ \(tcp\) connected$/m);
      expect(proc.stderr()).toMatch(
        /^Relay of 127\.0\.0\.1 \d+ closed \(eof\): 67108864 bytes to the target, 67108864 bytes back$/m,
      );
    },
    90_000,
  );

  itWithPeer('socat')('socat client and socat backend (fork, cat): 1 MiB echoed through -k', async () => {
    const backendPort = await freePort();
    start('socat', [`TCP-LISTEN:${backendPort},bind=127.0.0.1,reuseaddr,fork`, 'EXEC:/bin/cat']);
    await tcpUp(backendPort);
    const { port } = await relayListener(`127.0.0.1:${backendPort}`, ['-k']);
    const payload = randomPayload(MiB);
    for (let i = 0; i < 2; i += 1) {
      const input = files.file(`socat-${i}.bin`, payload);
      const client = start('socat', ['-t', '10', '-', `TCP:127.0.0.1:${port}`], {
        stdio: [openSync(input, 'r'), 'pipe', 'pipe'],
      });
      expect(await client.exited(20_000)).toBe(0);
      expect(sha256(client.stdout())).toBe(sha256(payload));
    }
  });

  it('without -k: one client, then exit 0; the next client is refused by the kernel', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`);
    const client = await peerClient(port);
    const conn = await backend.accepted();
    client.socket.end('one\n');
    await conn.fin;
    conn.socket.end('two\n');
    await client.fin;
    expect(client.received().toString()).toBe('two\n');
    expect(conn.received().toString()).toBe('one\n');
    expect(await proc.exited()).toBe(0);
    const late = connect({ port, host: '127.0.0.1' });
    const [error] = (await once(late, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
    backend.close();
  });

  it('half-close: the client sends a request and FIN, the backend answers 32 MiB after it; all arrives', async () => {
    const backend = await peerServer();
    const { port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
    const answer = randomPayload(32 * MiB);
    const client = await peerClient(port);
    client.socket.end('GET /big\n');
    const conn = await backend.accepted();
    await conn.fin;
    expect(conn.received().toString()).toBe('GET /big\n');
    conn.socket.end(answer);
    await client.fin;
    expect(client.received().length).toBe(answer.length);
    expect(sha256(client.received())).toBe(sha256(answer));
    await client.closed;
    backend.close();
  });

  it('the backend half-closes first while the client still sends: its FIN reaches the client, the client goes on to its own EOF', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
    const upload = randomPayload(8 * MiB);
    const client = await peerClient(port);
    const conn = await backend.accepted();
    conn.socket.end('bye\n');
    await client.fin;
    expect(client.received().toString()).toBe('bye\n');
    // The other direction is still open: everything the client sends after the FIN arrives.
    client.socket.end(upload);
    await conn.fin;
    expect(sha256(conn.received())).toBe(sha256(upload));
    await client.closed;
    await waitFor(
      () => /closed \(eof\): 8388608 bytes to the target, 4 bytes back/.test(proc.stderr()),
      'eof line',
    );
    backend.close();
  });

  it('a reset by the client is passed on to the backend as a reset', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
    const client = await peerClient(port);
    const conn = await backend.accepted();
    const backendEnd = closedWith(conn.socket);
    client.socket.write('partial');
    await conn.receivedAtLeast(7);
    client.socket.resetAndDestroy();
    expect((await backendEnd)?.code).toBe('ECONNRESET');
    await waitFor(() => /closed \(reset by the client\)/.test(proc.stderr()), 'the reset line');
    backend.close();
  });

  it('a reset by the backend is passed on to the client as a reset', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
    const client = await peerClient(port);
    const clientEnd = closedWith(client.socket);
    const conn = await backend.accepted();
    conn.socket.write('partial');
    await client.receivedAtLeast(7);
    conn.socket.resetAndDestroy();
    expect((await clientEnd)?.code).toBe('ECONNRESET');
    await waitFor(() => /closed \(reset by the target\)/.test(proc.stderr()), 'the reset line');
    backend.close();
  });

  it('backpressure: a client that does not read stops reads from the backend; nothing is lost', async () => {
    const backend = await peerServer();
    const { port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
    const client = await peerClient(port);
    client.socket.pause();
    const conn = await backend.accepted();
    const total = 128 * MiB;
    // The backend's writes stall once the kernel buffers of both hops and the relay's own are
    // full: far below the 128 MiB it wants to send (the relay does not read ahead into memory).
    const written = await writeUntilStalled(conn.socket, total);
    expect(written).toBeLessThan(64 * MiB);
    client.socket.resume();
    await client.fin;
    expect(client.received().length).toBe(total);
    client.socket.end();
    backend.close();
  });

  it('a backend that refuses: the client is reset (not an empty answer), one -v line, and -k goes on', async () => {
    const closedPort = await freePort();
    const { proc, port } = await relayListener(`127.0.0.1:${closedPort}`, ['-k']);
    for (let i = 0; i < 2; i += 1) {
      const client = connect({ port, host: '127.0.0.1' });
      expect((await closedWith(client))?.code).toBe('ECONNRESET');
    }
    const failedLines = (): number =>
      proc.stderr().match(/^tsnc: relay to 127\.0\.0\.1 port \d+ \(tcp\) failed: Connection refused$/gm)
        ?.length ?? 0;
    // stderr is a pipe: the lines may arrive after the resets did.
    await waitFor(() => failedLines() >= 2, 'two relay failed lines');
    expect(failedLines()).toBe(2);
    expect(proc.child.exitCode).toBeNull();
  });

  it('-w 1 bounds the connect to the target: a target that never answers the SYN resets the client after it', async () => {
    // A listener that never accepts, its backlog full: the kernel drops further SYNs, so a
    // connect to it hangs (loopback only; no packet filter needed).
    const full = start('python3', [
      '-c',
      'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()',
    ]);
    await waitFor(() => /^\d+\n/.test(full.stdout().toString()), 'the full listener');
    const fullPort = Number(full.stdout().toString().trim());
    const fillers: Socket[] = [];
    for (let i = 0; i < 3; i += 1) {
      const filler = connect({ port: fullPort, host: '127.0.0.1' });
      filler.on('error', () => undefined);
      fillers.push(filler);
    }
    await quietPeriod(200);
    const { proc, port } = await relayListener(`127.0.0.1:${fullPort}`, ['-k', '-w', '1']);
    const started = Date.now();
    const client = connect({ port, host: '127.0.0.1' });
    expect((await closedWith(client))?.code).toBe('ECONNRESET');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await waitFor(
      () =>
        new RegExp(
          `^tsnc: relay to 127\\.0\\.0\\.1 port ${fullPort} \\(tcp\\) failed: Connection timed out$`,
          'm',
        ).test(proc.stderr()),
      'the timeout line',
    );
    for (const filler of fillers) filler.destroy();
    full.endStdin();
  });

  it('without -k a refused backend makes the exit status 1', async () => {
    const closedPort = await freePort();
    const { proc, port } = await relayListener(`127.0.0.1:${closedPort}`);
    const client = connect({ port, host: '127.0.0.1' });
    expect((await closedWith(client))?.code).toBe('ECONNRESET');
    expect(await proc.exited()).toBe(1);
  });

  it('-m 10 with 50 clients: 10 relayed at once, the other 40 refused', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k', '-m', '10']);
    const clients: Socket[] = [];
    const ends: Promise<NodeJS.ErrnoException | undefined>[] = [];
    for (let i = 0; i < 50; i += 1) {
      const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      socket.on('data', () => undefined);
      ends.push(closedWith(socket));
      clients.push(socket);
      await once(socket, 'connect');
    }
    await waitFor(
      () => (proc.stderr().match(/already 10 connections \(-m\)/g) ?? []).length === 40,
      '40 refusals',
    );
    expect((proc.stderr().match(/ connected$/gm) ?? []).length).toBe(10);
    const served = [];
    for (let i = 0; i < 10; i += 1) served.push(await backend.accepted());
    // Once those end, a new client is relayed again.
    for (const conn of served) conn.socket.end();
    for (const socket of clients) socket.end();
    await Promise.all(ends);
    await waitFor(
      () => (proc.stderr().match(/^Relay of .* closed/gm) ?? []).length === 10,
      'ten closed lines',
    );
    const again = await peerClient(port);
    await backend.accepted();
    again.socket.destroy();
    backend.close();
  });

  it('200 concurrent python3 clients, 1 MiB each way each, all sha-equal', async () => {
    const backend = await pythonBackend('server', MiB);
    const { port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k', '-m', '200']);
    const client = start('python3', [RELAY_PEER, 'client', String(port), String(MiB), '200', '200']);
    expect(await client.exited(120_000)).toBe(0);
    await waitFor(() => peerLines(backend.proc).length === 200, '200 backend lines', 30_000);
    const clientLines = peerLines(client);
    const serverLines = peerLines(backend.proc);
    expect(clientLines.length).toBe(200);
    // Each way, the set of what was sent is the set of what arrived at the other end.
    const sent = (lines: typeof clientLines) => lines.map((l) => `${l.sentBytes} ${l.sentSha}`).sort();
    const received = (lines: typeof clientLines) =>
      lines.map((l) => `${l.receivedBytes} ${l.receivedSha}`).sort();
    expect(received(serverLines)).toEqual(sent(clientLines));
    expect(received(clientLines)).toEqual(sent(serverLines));
    expect(new Set(sent(clientLines)).size).toBe(200);
  }, 150_000);
});
