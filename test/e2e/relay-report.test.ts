// What --relay says per connection: the -v lines (accepted, relayed to, closed with the bytes
// each way and how it ended) and the --json events (checked against docs/json-schema.json),
// -w's idle timeout per connection, and SIGTERM with connections open.
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, tsnc, waitFor } from '../helpers/cli.js';
import { parseJsonLine, type JsonEvent } from '../helpers/json-events.js';
import { freePort, peerClient, peerServer } from '../helpers/peer.js';
import { relayListener } from '../helpers/relay.js';

afterEach(killAll);

const events = (stderr: string): JsonEvent[] =>
  stderr
    .split('\n')
    .filter((line) => line !== '')
    .map(parseJsonLine);

describe('--relay reports', () => {
  it('-v: one line for the client, one for the target, one at the end with the bytes each way', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
    const client = await peerClient(port);
    const clientPort = client.socket.localPort ?? 0;
    const conn = await backend.accepted();
    client.socket.end('twelve bytes');
    await conn.fin;
    conn.socket.end('four');
    await client.closed;
    await waitFor(() => proc.stderr().includes('closed'), 'the closed line');
    expect(proc.stderr()).toBe(
      [
        `Listening on 0.0.0.0 ${port}`,
        `Connection received on 127.0.0.1 ${clientPort}`,
        `Relay to 127.0.0.1 port ${backend.port} (tcp) connected`,
        `Relay of 127.0.0.1 ${clientPort} closed (eof): 12 bytes to the target, 4 bytes back`,
        '',
      ].join('\n'),
    );
    backend.close();
  });

  it('--json: accepted, relayed, relay-closed; relay-failed for a refused target; SIGTERM ends with a summary', async () => {
    const backend = await peerServer();
    const proc = tsnc(['--json', '-l', '-k', '-p', '0', '--relay', `127.0.0.1:${backend.port}`]);
    const port = Number((await proc.stderrLine(/"event":"listening".*"port":(\d+)/))[1]);
    const client = await peerClient(port);
    const clientPort = client.socket.localPort;
    const conn = await backend.accepted();
    client.socket.end('abc');
    await conn.fin;
    conn.socket.end('defgh');
    await client.closed;
    await proc.stderrLine(/"event":"relay-closed"/);
    proc.kill('SIGTERM');
    expect(await proc.exited()).toBe(143);
    const seen = events(proc.stderr());
    expect(seen.map((e) => e.event)).toEqual(['listening', 'accepted', 'relayed', 'relay-closed', 'summary']);
    expect(seen[2]).toMatchObject({
      proto: 'tcp',
      target: `127.0.0.1:${backend.port}`,
      targetAddress: '127.0.0.1',
    });
    expect(seen[3]).toMatchObject({
      proto: 'tcp',
      address: '127.0.0.1',
      port: clientPort,
      end: 'eof',
      resetBy: null,
      bytesToTarget: 3,
      bytesFromTarget: 5,
    });
    expect(seen[4]).toMatchObject({ mode: 'relay', end: 'signal', signal: 'SIGTERM', exitCode: 143 });

    const closedPort = await freePort();
    const failing = tsnc(['--json', '-l', '-p', '0', '--relay', `127.0.0.1:${closedPort}`]);
    const failingPort = Number((await failing.stderrLine(/"event":"listening".*"port":(\d+)/))[1]);
    const refused = await peerClient(failingPort);
    await refused.closed;
    expect(await failing.exited()).toBe(1);
    const failed = events(failing.stderr());
    expect(failed.map((e) => e.event)).toEqual(['listening', 'accepted', 'relay-failed', 'summary']);
    expect(failed[2]).toMatchObject({
      message: `relay to 127.0.0.1 port ${closedPort} (tcp) failed: Connection refused`,
    });
    expect(failed[3]).toMatchObject({ mode: 'relay', end: 'error', exitCode: 1 });
    backend.close();
  });

  it('-w 1: a relayed connection silent both ways for a second is closed on both sides', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k', '-w', '1']);
    const client = await peerClient(port);
    const conn = await backend.accepted();
    client.socket.write('one');
    await conn.receivedAtLeast(3);
    await Promise.all([client.fin, conn.fin]);
    await waitFor(
      () => /closed \(idle\): 3 bytes to the target, 0 bytes back/.test(proc.stderr()),
      'idle line',
    );
    expect(proc.child.exitCode).toBeNull();
    backend.close();
  });

  it('SIGTERM with relayed connections open: exit 143 at once; the kernel closes both sides of each', async () => {
    const backend = await peerServer();
    const { proc, port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
    const client = await peerClient(port);
    const conn = await backend.accepted();
    proc.kill('SIGTERM');
    expect(await proc.exited()).toBe(143);
    await Promise.all([client.fin, conn.fin]);
    backend.close();
  });
});
