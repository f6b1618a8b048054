// --relay with --port-file: a relay listener on -p 0 writes the port it is bound to, a client
// reaches the target through that port, and the file is gone once tsnc exits (its one client
// done, or a signal). TCP and -u. Peers: the test's own sockets, a python3 UDP echo.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerClient, peerServer } from '../helpers/peer.js';
import { RELAY_PEER, stdoutMatch } from '../helpers/relay.js';
import { udpPeer } from '../helpers/udp.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

let count = 0;
const portPath = (): string => join(files.dir, `relay-port-${(count += 1)}`);

/** The port once the file exists: the whole line `PORT\n`. */
const portIn = async (path: string): Promise<number> => {
  await waitFor(() => existsSync(path), `${path} to appear`);
  const text = readFileSync(path, 'utf8');
  expect(text).toMatch(/^[1-9]\d*\n$/);
  return Number(text);
};

describe('--relay --port-file', () => {
  it('-l -p 0: the file holds the port; a client reaches the target through it; removed at exit', async () => {
    const backend = await peerServer();
    const path = portPath();
    const relay = tsnc(['-l', '-p', '0', '--port-file', path, '--relay', `127.0.0.1:${backend.port}`]);
    const port = await portIn(path);
    const client = await peerClient(port);
    const upload = randomPayload(1024 * 1024);
    client.socket.end(upload);
    const conn = await backend.accepted();
    await conn.fin;
    expect(sha256(conn.received())).toBe(sha256(upload));
    conn.socket.end('answer\n');
    await client.fin;
    expect(client.received().toString()).toBe('answer\n');
    // Without -k: one client, then exit 0, and the file goes with the listener.
    expect(await relay.exited()).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(relay.stderr()).toBe('');
    backend.close();
  });

  it('-l -k -v: the port matches the Listening line; SIGTERM removes the file', async () => {
    const backend = await peerServer();
    const path = portPath();
    const relay = tsnc([
      '-l',
      '-k',
      '-v',
      '-n',
      '-p',
      '0',
      '--port-file',
      path,
      '--relay',
      `127.0.0.1:${backend.port}`,
    ]);
    const listening = await relay.stderrLine(/^Listening on \S+ (\d+)$/m);
    const port = await portIn(path);
    expect(port).toBe(Number(listening[1]));
    for (let i = 0; i < 2; i += 1) {
      const client = await peerClient(port);
      client.socket.end(`client ${i}\n`);
      const conn = await backend.accepted();
      await conn.fin;
      expect(conn.received().toString()).toBe(`client ${i}\n`);
      conn.socket.end();
      await client.closed;
    }
    relay.kill('SIGTERM');
    expect(await relay.exited()).toBe(143);
    expect(existsSync(path)).toBe(false);
    backend.close();
  });

  it('-u -l -p 0: the bound UDP port; a datagram is answered through it; removed once the association idles out', async () => {
    const echo = start('python3', [RELAY_PEER, 'udp-echo']);
    const echoPort = Number((await stdoutMatch(echo, /^port (\d+)$/m))[1]);
    const path = portPath();
    const relay = tsnc([
      '-u',
      '-l',
      '-v',
      '-n',
      '-p',
      '0',
      '-w',
      '1',
      '--port-file',
      path,
      '--relay',
      `127.0.0.1:${echoPort}`,
    ]);
    const bound = await relay.stderrLine(/^Bound on \S+ (\d+)$/m);
    const port = await portIn(path);
    expect(port).toBe(Number(bound[1]));
    const client = await udpPeer();
    await client.send('query', port);
    await client.receivedAtLeast(1);
    expect(client.datagrams().map((d) => d.data.toString())).toEqual(['echo:query']);
    // Without -k: the first client's association, idle for -w 1, ends tsnc, and the file with it.
    expect(await relay.exited()).toBe(0);
    expect(existsSync(path)).toBe(false);
    client.close();
  });

  it('-u -l -k: SIGTERM removes the file', async () => {
    const echo = start('python3', [RELAY_PEER, 'udp-echo']);
    const echoPort = Number((await stdoutMatch(echo, /^port (\d+)$/m))[1]);
    const path = portPath();
    const relay = tsnc([
      '-u',
      '-l',
      '-k',
      '-p',
      '0',
      '--port-file',
      path,
      '--relay',
      `127.0.0.1:${echoPort}`,
    ]);
    const port = await portIn(path);
    const client = await udpPeer();
    await client.send('one', port);
    await client.receivedAtLeast(1);
    relay.kill('SIGTERM');
    expect(await relay.exited()).toBe(143);
    expect(existsSync(path)).toBe(false);
    client.close();
  });
});
