// --json: real runs of the built CLI; every stderr line is checked against
// docs/json-schema.json with a real validator (ajv, JSON Schema 2020-12), and the values against
// what happened: bytes as sent, the summary's exit code as the process's, stdout untouched.
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { parseJsonLine, validateJsonEvent as validate, type JsonEvent } from '../helpers/json-events.js';
import { peerServer } from '../helpers/peer.js';
import { itWithNative } from '../helpers/peers.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

/** stderr as events: every line must be one object valid under the schema, the last a summary. */
const eventsOf = (proc: Proc): JsonEvent[] => {
  const stderr = proc.stderr();
  expect(stderr.endsWith('\n'), stderr).toBe(true);
  return stderr.slice(0, -1).split('\n').map(parseJsonLine);
};

/** The run's events, after checking it ended with exactly one summary carrying its exit status. */
const finished = async (proc: Proc): Promise<{ events: JsonEvent[]; summary: JsonEvent; status: number }> => {
  const status = await proc.exited();
  const events = eventsOf(proc);
  const summaries = events.filter((e) => e.event === 'summary');
  expect(summaries).toHaveLength(1);
  const summary = events.at(-1) as JsonEvent;
  expect(summary.event).toBe('summary');
  expect(summary.exitCode).toBe(status);
  return { events, summary, status };
};

const kinds = (events: JsonEvent[]): string[] => events.map((e) => e.event);

/** `tsnc --json -l -n` on port 0 (more args before), its port read from the listening event. */
const jsonListener = async (args: string[], options = {}): Promise<{ proc: Proc; port: number }> => {
  const proc = tsnc(['--json', '-l', '-n', ...args, '-p', '0'], options);
  const match = await proc.stderrLine(/"event":"(?:listening|bound)".*"port":(\d+)/);
  return { proc, port: Number(match[1]) };
};

/** A TCP port nothing listens on (bound once, then closed). */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
};

describe('--json, connect and listen', () => {
  const payload = randomPayload(300_000);
  const path = files.file('payload.bin', payload);

  it('a file to a listener: listening, accepted, connected, closed, summary; bytes as sent; stdout untouched', async () => {
    const { proc: receiver, port } = await jsonListener([]);
    const sender = tsnc(['--json', '-n', '127.0.0.1', String(port)], {
      stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    });
    const sent = await finished(sender);
    const received = await finished(receiver);
    expect(receiver.stdout().equals(payload)).toBe(true);
    expect(sender.stdout().length).toBe(0);

    expect(kinds(sent.events)).toEqual(['connected', 'closed', 'summary']);
    expect(sent.events[0]).toMatchObject({ proto: 'tcp', host: '127.0.0.1', address: '127.0.0.1', port });
    expect(sent.events[1]).toMatchObject({ end: 'eof', bytesSent: payload.length, bytesReceived: 0, port });
    expect(sent.summary).toMatchObject({
      mode: 'connect',
      bytesSent: payload.length,
      bytesReceived: 0,
      end: 'eof',
      exitCode: 0,
    });

    expect(kinds(received.events)).toEqual(['listening', 'accepted', 'closed', 'summary']);
    expect(received.events[0]).toMatchObject({ proto: 'tcp', address: '0.0.0.0', port });
    expect(received.events[1]).toMatchObject({ proto: 'tcp', address: '127.0.0.1' });
    // The receiver's stdin (a pipe) was still open when the sender's EOF ended the session.
    expect(received.summary).toMatchObject({
      mode: 'listen',
      bytesSent: 0,
      bytesReceived: payload.length,
      end: 'peer-eof',
      exitCode: 0,
    });
    expect(received.summary.durationMs).toEqual(expect.any(Number));
  });

  it('--sha256 with --json: the hashes are in the summary, no other line', async () => {
    const { proc: receiver, port } = await jsonListener(['--sha256']);
    const sender = tsnc(['--json', '--sha256', '--progress', '-n', '127.0.0.1', String(port)], {
      stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    });
    const sent = await finished(sender);
    const received = await finished(receiver);
    const empty = sha256(Buffer.alloc(0));
    expect(sent.summary).toMatchObject({ sha256Sent: sha256(payload), sha256Received: empty });
    expect(received.summary).toMatchObject({ sha256Sent: empty, sha256Received: sha256(payload) });
  });

  it('-k: one closed event per client with its own bytes, then SIGTERM: summary end signal, exit 143', async () => {
    const { proc: server, port } = await jsonListener(['-k'], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const data of ['first', 'second!']) {
      const client = tsnc(['-N', '-n', '127.0.0.1', String(port)]);
      client.write(data);
      client.endStdin();
      expect(await client.exited()).toBe(0);
    }
    await waitFor(() => server.stderr().split('"closed"').length === 3, 'two closed events');
    server.kill('SIGTERM');
    const { events, summary, status } = await finished(server);
    expect(status).toBe(143);
    expect(server.stdout().toString()).toBe('firstsecond!');
    expect(kinds(events)).toEqual(['listening', 'accepted', 'closed', 'accepted', 'closed', 'summary']);
    expect(events[2]).toMatchObject({ bytesReceived: 5, bytesSent: 0 });
    expect(events[4]).toMatchObject({ bytesReceived: 7, bytesSent: 0 });
    expect(summary).toMatchObject({ mode: 'listen', bytesReceived: 12, end: 'signal', signal: 'SIGTERM' });
  });

  it('SIGINT while listening: summary end signal, exit 130', async () => {
    const { proc } = await jsonListener([]);
    proc.kill('SIGINT');
    const { events, summary } = await finished(proc);
    expect(kinds(events)).toEqual(['listening', 'summary']);
    expect(summary).toMatchObject({ end: 'signal', signal: 'SIGINT', exitCode: 130 });
  });

  it('a reset by the peer: closed and summary say reset, exit 0', async () => {
    const peer = await peerServer();
    try {
      const client = tsnc(['--json', '-n', '127.0.0.1', String(peer.port)]);
      const conn = await peer.accepted();
      client.write('hello');
      await conn.receivedAtLeast(5);
      conn.socket.resetAndDestroy();
      const { events, summary } = await finished(client);
      expect(kinds(events)).toEqual(['connected', 'error', 'closed', 'summary']);
      expect(events[1]?.message).toMatch(
        /^read from 127\.0\.0\.1 port \d+ \(tcp\) failed: Connection reset by peer$/,
      );
      expect(events[2]).toMatchObject({ end: 'reset', bytesSent: 5 });
      expect(summary).toMatchObject({ end: 'reset', exitCode: 0 });
    } finally {
      peer.close();
    }
  });

  it('connection refused: the error nc -v prints, then summary end error, exit 1', async () => {
    const port = await closedPort();
    const proc = tsnc(['--json', '-n', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { events, summary } = await finished(proc);
    expect(events.map((e) => [e.event, e.message])).toEqual([
      ['error', `connect to 127.0.0.1 port ${port} (tcp) failed: Connection refused`],
      ['summary', undefined],
    ]);
    expect(summary).toMatchObject({ mode: 'connect', end: 'error', exitCode: 1 });
  });

  it('-u both ways: bound, accepted, connected; -q 0 ends the sender (quit); bytes counted', async () => {
    const { proc: receiver, port } = await jsonListener(['-u'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sender = tsnc(['--json', '-u', '-n', '-q', '0', '127.0.0.1', String(port)]);
    sender.write('ping\n');
    await waitFor(() => receiver.stdout().toString() === 'ping\n', 'the datagram on stdout');
    sender.endStdin();
    const sent = await finished(sender);
    expect(kinds(sent.events)).toEqual(['connected', 'closed', 'summary']);
    expect(sent.events[0]).toMatchObject({ proto: 'udp', port, service: null });
    expect(sent.summary).toMatchObject({ end: 'quit', bytesSent: 5, exitCode: 0 });
    await waitFor(() => receiver.stderr().includes('"accepted"'), 'the accepted event');
    receiver.kill('SIGTERM');
    const received = await finished(receiver);
    expect(kinds(received.events)).toEqual(['bound', 'accepted', 'summary']);
    expect(received.events[1]).toMatchObject({ proto: 'udp', address: '127.0.0.1' });
    expect(received.summary).toMatchObject({ bytesReceived: 5, end: 'signal', exitCode: 143 });
  });

  it('without --json stderr is as before (no JSON, -v lines only with -v)', async () => {
    const { proc: receiver, port } = await jsonListener([]);
    const sender = tsnc(['-n', '127.0.0.1', String(port)], { stdio: [openSync(path, 'r'), 'pipe', 'pipe'] });
    expect(await sender.exited()).toBe(0);
    expect(sender.stderr()).toBe('');
    await finished(receiver);
  });
});

describe('--json, scan, wait, serve, access', () => {
  it('-z: one scan event per port, open with its address, closed with nc’s reason; exit 0', async () => {
    const peer = await peerServer();
    const closed = await closedPort();
    try {
      const proc = tsnc(['--json', '-z', '-n', '127.0.0.1', String(closed), String(peer.port)]);
      const { events, summary } = await finished(proc);
      expect(events.slice(0, 2)).toMatchObject([
        {
          event: 'scan',
          port: closed,
          open: false,
          error: `connect to 127.0.0.1 port ${closed} (tcp) failed: Connection refused`,
        },
        { event: 'scan', port: peer.port, open: true, address: '127.0.0.1', service: null },
      ]);
      expect(kinds(events)).toEqual(['scan', 'scan', 'summary']);
      expect(summary).toMatchObject({ mode: 'scan', end: 'scan-done', exitCode: 0 });
      expect(summary).not.toHaveProperty('bytesSent');
    } finally {
      peer.close();
    }
  });

  it('--wait: one wait event per target, ready or with the reason; summary timeout, exit 1', async () => {
    const peer = await peerServer();
    const closed = await closedPort();
    try {
      const proc = tsnc([
        '--json',
        '--wait',
        '--timeout',
        '1s',
        '--interval',
        '200ms',
        `127.0.0.1:${peer.port}`,
        `127.0.0.1:${closed}`,
      ]);
      const { events, summary } = await finished(proc);
      const waits = events.filter((e) => e.event === 'wait');
      expect(waits).toMatchObject([
        { host: '127.0.0.1', port: peer.port, ready: true },
        { host: '127.0.0.1', port: closed, ready: false, reason: 'Connection refused' },
      ]);
      // Every failed attempt is said (as by -v), and the final line for the target that never came up.
      expect(events.filter((e) => e.event === 'error').at(-1)?.message).toBe(
        `wait for 127.0.0.1 port ${closed} (tcp) timed out after 1s: Connection refused`,
      );
      expect(summary).toMatchObject({ mode: 'wait', end: 'timeout', exitCode: 1 });
    } finally {
      peer.close();
    }
  });

  it('--serve --count 1: accepted and served with the bytes of the file; summary done', async () => {
    const file = files.file('served.bin', randomPayload(70_000));
    const { proc, port } = await jsonListener(['--serve', file, '--count', '1']);
    const client = tsnc(['-d', '-n', '127.0.0.1', String(port)]);
    expect(await client.exited()).toBe(0);
    expect(client.stdout().length).toBe(70_000);
    const { events, summary } = await finished(proc);
    expect(kinds(events)).toEqual(['listening', 'accepted', 'served', 'summary']);
    expect(events[2]).toMatchObject({ proto: 'tcp', address: '127.0.0.1', bytesSent: 70_000 });
    expect(summary).toMatchObject({ mode: 'serve', end: 'done', exitCode: 0 });
  });

  it('--deny: refused with the -v line as message', async () => {
    const { proc, port } = await jsonListener(['-k', '--deny', '127.0.0.1']);
    const client = tsnc(['-n', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await client.exited()).toBe(0);
    await waitFor(() => proc.stderr().includes('"refused"'), 'the refused event');
    proc.kill('SIGTERM');
    const { events } = await finished(proc);
    expect(kinds(events)).toEqual(['listening', 'refused', 'summary']);
    expect(events[1]?.message).toMatch(/^Refused connection from 127\.0\.0\.1 \d+: /);
  });
});

describe('--json, --ssl', () => {
  it('the ephemeral certificate and each handshake are events; the pin from the event works', async () => {
    const { proc: server, port } = await jsonListener(['--ssl']);
    const certificate = eventsOf(server).find((e) => e.event === 'certificate');
    expect(certificate?.fingerprint).toMatch(/^sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const pin = String(certificate?.fingerprint);
    const client = tsnc(['--json', '-n', '--ssl-pin', pin, '127.0.0.1', String(port)]);
    client.write('over tls\n');
    client.endStdin();
    const sent = await finished(client);
    expect(kinds(sent.events)).toEqual(['connected', 'tls', 'closed', 'summary']);
    expect(sent.events[1]).toMatchObject({ peer: `127.0.0.1 port ${port}`, check: 'pinned' });
    expect(String(sent.events[1]?.protocol)).toMatch(/^TLSv1\.[23]$/);
    expect(sent.summary).toMatchObject({ bytesSent: 9, exitCode: 0 });
    const received = await finished(server);
    expect(kinds(received.events)).toEqual([
      'certificate',
      'listening',
      'pin-command',
      'accepted',
      'tls',
      'closed',
      'summary',
    ]);
    expect(received.events[4]).toMatchObject({ check: null });
    expect(received.summary).toMatchObject({ bytesReceived: 9, exitCode: 0 });
    expect(server.stdout().toString()).toBe('over tls\n');
  });
});

describe('--json, -U -u', () => {
  itWithNative('bound, accepted and connected carry the socket path', async () => {
    const path = join(files.dir, 'json-dgram.sock');
    const server = tsnc(['--json', '-l', '-U', '-u', path]);
    await server.stderrLine(/"event":"bound"/);
    const client = tsnc(['--json', '-U', '-u', path]);
    client.write('datagram\n');
    await waitFor(() => server.stdout().toString() === 'datagram\n', 'the datagram at the server');
    client.kill('SIGTERM');
    server.kill('SIGTERM');
    const sent = await finished(client);
    expect(kinds(sent.events)).toEqual(['connected', 'summary']);
    expect(sent.events[0]).toMatchObject({ proto: 'unix', path });
    const received = await finished(server);
    expect(kinds(received.events)).toEqual(['bound', 'accepted', 'summary']);
    expect(received.events.slice(0, 2)).toMatchObject([
      { proto: 'unix', path },
      { proto: 'unix', path },
    ]);
  });
});

describe('--json, command-line errors', () => {
  it.each([
    [['--json', '-w', 'abc', '127.0.0.1', '1'], 'timeout invalid: abc'],
    [['--json', '-Q', '127.0.0.1', '1'], "invalid option -- 'Q'"],
    [['-k', '--json', '127.0.0.1', '1'], 'must use -l with -k'],
  ])('%j: an error event and a summary with mode null, end usage, exit 1', async (args, message) => {
    const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const { events, summary } = await finished(proc);
    expect(events.map((e) => e.event)).toEqual(['error', 'summary']);
    expect(events[0]?.message).toBe(message);
    expect(summary).toMatchObject({ mode: null, end: 'usage', exitCode: 1 });
  });

  it('--json after -- is an operand, not the option: plain text', async () => {
    const proc = tsnc(['-Q', '--', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toMatch(/^tsnc: invalid option -- 'Q'\n/);
  });
});

describe('the schema', () => {
  it('rejects what tsnc must never write', () => {
    const time = new Date().toISOString();
    for (const bad of [
      { event: 'summary', time, mode: 'connect', durationMs: 1, end: 'eof', exitCode: 0, extra: 1 },
      { event: 'summary', time, mode: 'connect', durationMs: 1, end: 'signal', exitCode: 143 },
      { event: 'connected', time, proto: 'unix', host: 'h', service: null, address: 'a', port: 1 },
      { event: 'scan', time, proto: 'tcp', host: 'h', port: 1, open: true, error: 'x' },
      { event: 'closed', time, end: 'complete' },
      { event: 'nonsense', time },
    ]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
