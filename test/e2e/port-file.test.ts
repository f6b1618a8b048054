// --port-file FILE: a listener on -p 0 writes its bound port there, atomically, once listening,
// and removes the file however it ends (the session's end, a signal). Peers: tsnc itself.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { parseJsonLine } from '../helpers/json-events.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

let count = 0;
const portPath = (): string => join(files.dir, `port-${(count += 1)}`);

/** The port once the file exists: the whole line `PORT\n`, nothing else. */
const portIn = async (path: string): Promise<number> => {
  await waitFor(() => existsSync(path), `${path} to appear`);
  const text = readFileSync(path, 'utf8');
  expect(text).toMatch(/^[1-9]\d*\n$/);
  return Number(text);
};

describe('--port-file', () => {
  it('-l -p 0: the file holds the port a client then reaches; removed once the session ends', async () => {
    const path = portPath();
    const receiver = tsnc(['-l', '-p', '0', '--port-file', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const port = await portIn(path);
    const payload = randomPayload(200_000);
    const sender = tsnc(['127.0.0.1', String(port)]);
    sender.write(payload);
    sender.endStdin();
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
    expect(receiver.stderr()).toBe('');
    expect(existsSync(path)).toBe(false);
    // Written through a temporary file and a rename: nothing else is left in the folder.
    expect(readdirSync(files.dir).filter((name) => name.startsWith('port-1'))).toEqual([]);
  });

  it('-lk: the port matches the Listening line; SIGTERM removes the file', async () => {
    const path = portPath();
    const receiver = tsnc(['-lkvn', '-p', '0', '--port-file', path]);
    const listening = await receiver.stderrLine(/Listening on \S+ (\d+)\n/);
    expect(await portIn(path)).toBe(Number(listening[1]));
    receiver.kill('SIGTERM');
    expect(await receiver.exited()).toBe(143);
    expect(existsSync(path)).toBe(false);
  });

  it('-u -l: the bound UDP port', async () => {
    const path = portPath();
    const receiver = tsnc(['-u', '-lvn', '-p', '0', '--port-file', path]);
    const bound = await receiver.stderrLine(/Bound on \S+ (\d+)\n/);
    expect(await portIn(path)).toBe(Number(bound[1]));
    receiver.kill('SIGINT');
    expect(await receiver.exited()).toBe(130);
    expect(existsSync(path)).toBe(false);
  });

  it('--serve --count 1: the port of the file server; removed after its one client', async () => {
    const path = portPath();
    const served = files.file('served.bin', randomPayload(50_000));
    const server = tsnc(['-l', '-p', '0', '--serve', served, '--count', '1', '--port-file', path]);
    const port = await portIn(path);
    const client = tsnc(['-d', '127.0.0.1', String(port)]);
    expect(await client.exited()).toBe(0);
    expect(sha256(client.stdout())).toBe(sha256(readFileSync(served)));
    expect(await server.exited()).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it('an existing file is replaced; --json says port-file with the port', async () => {
    const path = files.file('port-existing', 'stale\n');
    const receiver = tsnc(['--json', '-lk', '-p', '0', '--port-file', path]);
    const line = await receiver.stderrLine(/^\{"event":"port-file".*\n/m);
    const event = parseJsonLine(line[0].trim());
    expect(event).toMatchObject({ event: 'port-file', path });
    expect(readFileSync(path, 'utf8')).toBe(`${String(event.port)}\n`);
    receiver.kill('SIGTERM');
    expect(await receiver.exited()).toBe(143);
    expect(existsSync(path)).toBe(false);
  });

  it('a port in use: the bind error, exit 1, and no file', async () => {
    const path = portPath();
    const first = tsnc(['-lkvn', '-p', '0']);
    const port = (await first.stderrLine(/Listening on \S+ (\d+)\n/))[1] ?? '';
    const second = tsnc(['-l', '-p', port, '--port-file', path]);
    expect(await second.exited()).toBe(1);
    expect(second.stderr()).toBe('tsnc: Address already in use\n');
    expect(existsSync(path)).toBe(false);
  });
});
