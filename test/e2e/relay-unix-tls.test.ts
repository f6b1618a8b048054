// --relay between unix sockets and TCP both ways, to a TLS target (verified, pinned) and with TLS
// termination (--ssl-cert on the listener, plain to the target). Peers: python3 (relay-peer.py),
// nc.openbsd, socat, openssl s_server / s_client, tsnc itself, and the test process's TLS sockets.
import { openSync, readFileSync } from 'node:fs';
import { connect as netConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { closedWith, peerClient, peerServer } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';
import { makePki, printedPin, type Pki } from '../helpers/tls.js';
import { startPeerListener } from '../interop/kit.js';
import { peerLines, pythonBackend, RELAY_PEER, relayListener, stdoutMatch } from '../helpers/relay.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const MiB = 1024 * 1024;
let pki: Pki;
beforeAll(() => {
  pki = makePki(files.dir);
});

/** All a stream sends until its EOF. */
/** A TLS client of 127.0.0.1:port that trusts the test CA and may half-close, once it is connected. */
const halfOpenTlsClient = async (port: number): Promise<TLSSocket> => {
  const client = tlsConnect({
    port,
    host: '127.0.0.1',
    servername: 'localhost',
    ca: readFileSync(pki.caCert),
  });
  // tls.connect's options do not list it; the socket honours it.
  client.allowHalfOpen = true;
  await new Promise<void>((resolve) => client.once('secureConnect', () => resolve()));
  return client;
};

/** A -k relay to a tls:// target on 127.0.0.1, verified against the test CA as `localhost`. */
const toTlsTarget = (backendPort: number): ReturnType<typeof relayListener> =>
  relayListener(`tls://127.0.0.1:${backendPort}`, [
    '-k',
    '--ssl-trustfile',
    pki.caCert,
    '--ssl-servername',
    'localhost',
  ]);

/** A -k relay that terminates TLS (the test CA's localhost certificate) in front of a plain backend. */
const terminating = (backendPort: number): ReturnType<typeof relayListener> =>
  relayListener(`127.0.0.1:${backendPort}`, ['-k', '--ssl-cert', pki.serverCert, '--ssl-key', pki.serverKey]);

const readAll = (socket: Socket): Promise<Buffer> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
  });

/** A TLS server in the test process on a plain TCP listener: each connection's raw socket too. */
const tlsBackend = async (): Promise<{
  port: number;
  next(): Promise<{ tls: TLSSocket; raw: Socket }>;
  close(): void;
}> => {
  const secureContext = createSecureContext({
    cert: readFileSync(pki.serverCert),
    key: readFileSync(pki.serverKey),
  });
  const waiting: ((pair: { tls: TLSSocket; raw: Socket }) => void)[] = [];
  const ready: { tls: TLSSocket; raw: Socket }[] = [];
  const server = createServer({ allowHalfOpen: true }, (raw) => {
    const tls = new TLSSocket(raw, { isServer: true, secureContext });
    tls.on('error', () => undefined);
    raw.on('error', () => undefined);
    tls.once('secure', () => {
      const wake = waiting.shift();
      if (wake) wake({ tls, raw });
      else ready.push({ tls, raw });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    next: () => {
      const pair = ready.shift();
      return pair ? Promise.resolve(pair) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => server.close(),
  };
};

describe('--relay with unix sockets', () => {
  it('TCP listener to unix:/path: 8 MiB each way at once for 4 python3 clients, sha-equal', async () => {
    const path = join(files.dir, 'backend.sock');
    const backend = start('python3', [RELAY_PEER, 'server', String(8 * MiB), '--unix', path]);
    await stdoutMatch(backend, /^ready$/m);
    const { port } = await relayListener(`unix:${path}`, ['-k']);
    const client = start('python3', [RELAY_PEER, 'client', String(port), String(8 * MiB), '4', '4']);
    expect(await client.exited(60_000)).toBe(0);
    await waitFor(() => peerLines(backend).length === 4, 'four backend lines');
    const key = (bytes: number, sha: string): string => `${bytes} ${sha}`;
    const sent = (lines: ReturnType<typeof peerLines>) =>
      lines.map((l) => key(l.sentBytes, l.sentSha)).sort();
    const got = (lines: ReturnType<typeof peerLines>) =>
      lines.map((l) => key(l.receivedBytes, l.receivedSha)).sort();
    expect(got(peerLines(backend))).toEqual(sent(peerLines(client)));
    expect(got(peerLines(client))).toEqual(sent(peerLines(backend)));
  }, 90_000);

  itWithPeer('nc.openbsd')('-U listener to TCP: nc.openbsd -U asks, a python3 echo answers', async () => {
    const backend = await pythonBackend('echo');
    const path = join(files.dir, 'front.sock');
    const relay = tsnc(['-l', '-k', '-v', '-U', path, '--relay', `127.0.0.1:${backend.port}`]);
    await relay.stderrLine(/^Listening on /m);
    const payload = randomPayload(2 * MiB);
    const input = files.file('unix-up.bin', payload);
    const client = start('nc.openbsd', ['-N', '-U', path], { stdio: [openSync(input, 'r'), 'pipe', 'pipe'] });
    expect(await client.exited(20_000)).toBe(0);
    expect(sha256(client.stdout())).toBe(sha256(payload));
    await relay.stderrLine(
      new RegExp(
        `^Relay of ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} closed \\(eof\\): 2097152 bytes`,
        'm',
      ),
    );
  });

  itWithPeer('socat')(
    'socat UNIX-LISTEN backend (fork, cat) behind a TCP relay: a request and its echo',
    async () => {
      const path = join(files.dir, 'socat.sock');
      start('socat', [`UNIX-LISTEN:${path},fork`, 'EXEC:/bin/cat']);
      await waitFor(() => {
        try {
          readFileSync(path);
          return false;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === 'ENXIO';
        }
      }, 'the socat socket');
      const { port } = await relayListener(`unix:${path}`, ['-k']);
      const client = await peerClient(port);
      client.socket.end('through socat\n');
      await client.fin;
      expect(client.received().toString()).toBe('through socat\n');
    },
  );

  it('unix:@abstract target: a tsnc -l -U @name backend gets what the client sends', async () => {
    const name = `@tsnc-relay-${process.pid}-${Date.now()}`;
    const backend = tsnc(['-l', '-v', '-U', name], { stdio: ['pipe', 'pipe', 'pipe'] });
    await backend.stderrLine(/^Listening on /m);
    const { port } = await relayListener(`unix:${name}`);
    const client = await peerClient(port);
    client.socket.end('to an abstract name\n');
    await waitFor(() => backend.stdout().toString() === 'to an abstract name\n', 'the backend stdout');
    backend.endStdin();
    await client.fin;
    expect(await backend.exited()).toBe(0);
  });

  it('a unix target that is not there: the client is reset, one line', async () => {
    const path = join(files.dir, 'nobody.sock');
    const { proc, port } = await relayListener(`unix:${path}`, ['-k']);
    const client = netConnect({ port, host: '127.0.0.1' });
    expect((await closedWith(client))?.code).toBe('ECONNRESET');
    await waitFor(
      () => proc.stderr().includes(`tsnc: relay to ${path} failed: No such file or directory\n`),
      'line',
    );
  });
});

describe('--relay tls://host:port (TLS to the target)', () => {
  const sServer = (port: number): string[] => [
    's_server',
    '-quiet',
    '-naccept',
    '1',
    '-cert',
    pki.serverCert,
    '-key',
    pki.serverKey,
    '-accept',
    `127.0.0.1:${port}`,
  ];

  itWithPeer('openssl')(
    'openssl s_server target, verified by --ssl-trustfile: what s_server sends reaches nc.openbsd',
    async () => {
      const down = randomPayload(4 * MiB);
      const downFile = files.file('tls-down.bin', down);
      const { proc: server, port } = await startPeerListener('openssl', sServer, [
        { read: downFile },
        'pipe',
      ]);
      const relay = await relayListener(`tls://127.0.0.1:${port}`, ['--ssl-trustfile', pki.caCert]);
      const client = start('nc.openbsd', ['127.0.0.1', String(relay.port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // s_server ends its session at EOF of its stdin: close_notify, passed on as a FIN.
      expect(await client.exited(30_000)).toBe(0);
      expect(client.stdout().length).toBe(down.length);
      expect(sha256(client.stdout())).toBe(sha256(down));
      expect(relay.proc.stderr()).toMatch(
        /^TLS connection with 127\.0\.0\.1 port \d+: TLSv1\.3 \S+, certificate verified for 127\.0\.0\.1$/m,
      );
      expect(await server.exited(20_000)).toBe(0);
      expect(await relay.proc.exited(20_000)).toBe(0);
    },
  );

  itWithPeer('openssl')(
    'nc.openbsd uploads through the relay to s_server: all of it, its FIN as close_notify',
    async () => {
      const { proc: server, port } = await startPeerListener('openssl', sServer, ['pipe', 'pipe']);
      const relay = await relayListener(`tls://127.0.0.1:${port}`, [
        '--ssl-trustfile',
        pki.caCert,
        '--ssl-servername',
        'localhost',
      ]);
      const up = randomPayload(4 * MiB);
      const input = files.file('tls-up.bin', up);
      const client = start('nc.openbsd', ['-N', '127.0.0.1', String(relay.port)], {
        stdio: [openSync(input, 'r'), 'pipe', 'pipe'],
      });
      await waitFor(() => server.stdout().length >= up.length, 'the whole file at s_server', 30_000);
      expect(sha256(server.stdout())).toBe(sha256(up));
      server.endStdin();
      expect(await server.exited(20_000)).toBe(0);
      expect(await client.exited(20_000)).toBe(0);
      expect(await relay.proc.exited(20_000)).toBe(0);
    },
  );

  it('--ssl-pin: the right pin relays, a wrong one resets the client with the handshake line', async () => {
    const backend = tsnc(['-l', '-v', '-n', '-k', '--ssl', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pin = await printedPin(backend);
    const backendPort = Number((await backend.stderrLine(/Listening on \S+ (\d+)\n/))[1]);
    const good = await relayListener(`tls://127.0.0.1:${backendPort}`, ['--ssl-pin', pin]);
    const client = await peerClient(good.port);
    client.socket.end('pinned\n');
    await waitFor(() => backend.stdout().toString() === 'pinned\n', 'the pinned bytes at the backend');
    expect(good.proc.stderr()).toMatch(/: TLSv1\.3 \S+, certificate pinned$/m);

    const wrong = `sha256:${'00'.repeat(32)}`;
    const bad = await relayListener(`tls://127.0.0.1:${backendPort}`, ['-k', '--ssl-pin', wrong]);
    const refused = netConnect({ port: bad.port, host: '127.0.0.1' });
    expect((await closedWith(refused))?.code).toBe('ECONNRESET');
    await waitFor(
      () =>
        /^tsnc: TLS handshake with 127\.0\.0\.1 port \d+ failed: certificate fingerprint does not match --ssl-pin$/m.test(
          bad.proc.stderr(),
        ),
      'the pin line',
    );
  });

  it('half-close to a TLS target: the client FIN becomes close_notify, the 32 MiB answer after it arrives', async () => {
    const backend = await tlsBackend();
    const { port } = await toTlsTarget(backend.port);
    const client = await peerClient(port);
    client.socket.end('request\n');
    const { tls } = await backend.next();
    expect((await readAll(tls)).toString()).toBe('request\n');
    const answer = randomPayload(32 * MiB);
    tls.end(answer);
    await client.fin;
    expect(sha256(client.received())).toBe(sha256(answer));
    backend.close();
  });

  it('the TLS target ends first (close_notify): a FIN to the client, whose 32 MiB after it still arrive', async () => {
    const backend = await tlsBackend();
    const { port } = await toTlsTarget(backend.port);
    const client = await peerClient(port);
    client.socket.write('hello\n');
    const { tls } = await backend.next();
    const received = readAll(tls);
    tls.end('bye\n');
    await client.fin;
    expect(client.received().toString()).toBe('bye\n');
    const upload = randomPayload(32 * MiB);
    client.socket.end(upload);
    expect(sha256(await received)).toBe(sha256(Buffer.concat([Buffer.from('hello\n'), upload])));
    backend.close();
  });

  it('a reset by the plain client is passed to the TLS target as a TCP reset', async () => {
    const backend = await tlsBackend();
    const { port } = await toTlsTarget(backend.port);
    const client = await peerClient(port);
    client.socket.write('x');
    const { tls } = await backend.next();
    // The TLS socket holds the TCP handle: the reset is its error.
    const ended = closedWith(tls);
    // Once the byte is through, the relay is reading the client: the reset reaches it as one.
    await new Promise((resolve) => tls.once('data', resolve));
    client.socket.resetAndDestroy();
    expect((await ended)?.code).toBe('ECONNRESET');
    backend.close();
  });
  it('a reset by the TLS target is passed to the plain client as a TCP reset', async () => {
    const backend = await tlsBackend();
    const { proc, port } = await toTlsTarget(backend.port);
    const client = await peerClient(port);
    const ended = closedWith(client.socket);
    const { tls, raw } = await backend.next();
    tls.write('partial');
    await client.receivedAtLeast(7);
    raw.resetAndDestroy();
    expect((await ended)?.code).toBe('ECONNRESET');
    await waitFor(() => /closed \(reset by the target\)/.test(proc.stderr()), 'the reset line');
    backend.close();
  });
});

describe('--relay with --ssl-cert: TLS termination', () => {
  itWithPeer('openssl')(
    'openssl s_client through TLS termination pulls 4 MiB from a plain python3 backend until its FIN',
    async () => {
      const backend = await pythonBackend('server', 4 * MiB);
      const { port } = await terminating(backend.port);
      // -quiet implies -ign_eof: s_client's empty stdin does not end it; the close_notify that
      // the backend's FIN becomes does.
      const client = start('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${port}`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(await client.exited(30_000)).toBe(0);
      await waitFor(() => peerLines(backend.proc).length === 1, 'the backend line');
      expect(client.stdout().length).toBe(4 * MiB);
      expect(sha256(client.stdout())).toBe(peerLines(backend.proc)[0]?.sentSha);
    },
  );

  it('half-close: close_notify from the TLS client is a FIN to the backend; its 32 MiB answer arrives', async () => {
    const backend = await peerServer();
    const { port } = await terminating(backend.port);
    const client = await halfOpenTlsClient(port);
    const received = readAll(client);
    client.end('GET /\n');
    const conn = await backend.accepted();
    await conn.fin;
    expect(conn.received().toString()).toBe('GET /\n');
    const answer = randomPayload(32 * MiB);
    conn.socket.end(answer);
    expect(sha256(await received)).toBe(sha256(answer));
    backend.close();
  });

  it('the backend ends first (FIN): close_notify to the TLS client, whose 32 MiB after it still arrive', async () => {
    const backend = await peerServer();
    const { proc, port } = await terminating(backend.port);
    const client = await halfOpenTlsClient(port);
    const received = readAll(client);
    client.write('hello\n');
    const conn = await backend.accepted();
    await conn.receivedAtLeast(6);
    conn.socket.end('bye\n');
    expect((await received).toString()).toBe('bye\n');
    // The TLS client's direction is still open: all it sends after the close_notify arrives.
    const upload = randomPayload(32 * MiB);
    client.end(upload);
    await conn.fin;
    expect(sha256(conn.received())).toBe(sha256(Buffer.concat([Buffer.from('hello\n'), upload])));
    await waitFor(
      () =>
        new RegExp(`closed \\(eof\\): ${6 + 32 * MiB} bytes to the target, 4 bytes back`).test(proc.stderr()),
      'the eof line',
    );
    backend.close();
  });

  it('a reset by the TLS client is passed to the backend as a TCP reset', async () => {
    const backend = await peerServer();
    const { proc, port } = await terminating(backend.port);
    const raw = netConnect({ port, host: '127.0.0.1' });
    const client = tlsConnect({ socket: raw, servername: 'localhost', ca: readFileSync(pki.caCert) });
    client.on('error', () => undefined);
    await new Promise<void>((resolve) => client.once('secureConnect', () => resolve()));
    client.write('hello');
    const conn = await backend.accepted();
    const backendEnd = closedWith(conn.socket);
    await conn.receivedAtLeast(5);
    raw.resetAndDestroy();
    expect((await backendEnd)?.code).toBe('ECONNRESET');
    await waitFor(() => /closed \(reset by the client\)/.test(proc.stderr()), 'the reset line');
    backend.close();
  });

  it('a reset by the backend reaches the TLS client as a TCP reset', async () => {
    const backend = await peerServer();
    const { port } = await terminating(backend.port);
    const raw = netConnect({ port, host: '127.0.0.1' });
    const client = tlsConnect({ socket: raw, servername: 'localhost', ca: readFileSync(pki.caCert) });
    // The TLS socket holds the TCP handle: the reset is its error.
    const ended = closedWith(client);
    await new Promise<void>((resolve) => client.once('secureConnect', () => resolve()));
    client.write('hello');
    const conn = await backend.accepted();
    await conn.receivedAtLeast(5);
    conn.socket.resetAndDestroy();
    expect((await ended)?.code).toBe('ECONNRESET');
    backend.close();
  });

  it('a client that fails the handshake is dropped; the listener goes on', async () => {
    const backend = await peerServer();
    const { proc, port } = await listener([
      '-k',
      '--ssl-cert',
      pki.serverCert,
      '--ssl-key',
      pki.serverKey,
      '--relay',
      `127.0.0.1:${backend.port}`,
    ]);
    const plain = await peerClient(port);
    plain.socket.end('not TLS\n');
    await plain.closed;
    await waitFor(
      () => /TLS handshake with 127\.0\.0\.1 port \d+ failed/.test(proc.stderr()),
      'the handshake line',
    );
    expect(proc.child.exitCode).toBeNull();
    backend.close();
  });
});
