// -U: unix stream sockets, connect and listen, nc.openbsd's messages, stale socket files and
// Linux abstract names.
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, tsnc, waitFor } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

let counter = 0;
const socketPath = (): string => join(files.dir, `s${(counter += 1)}.sock`);

describe('-U', () => {
  it('listen and connect: Bound/Listening/Connection received on PATH, data both ways, exit 0', async () => {
    const path = socketPath();
    const server = tsnc(['-l', '-v', '-U', path]);
    await server.stderrLine(/Listening on /);
    const client = tsnc(['-v', '-U', path]);
    await server.stderrLine(/Connection received on /);
    expect(server.stderr()).toBe(`Bound on ${path}\nListening on ${path}\nConnection received on ${path}\n`);
    server.write('to-client\n');
    await waitFor(() => client.stdout().toString() === 'to-client\n', 'the line at the client');
    client.write('to-server\n');
    client.endStdin();
    await waitFor(() => server.stdout().toString() === 'to-server\n', 'the line at the server');
    // Both stdins carried bytes, so each side's EOF sends FIN; both end once both have.
    server.endStdin();
    expect(await server.exited()).toBe(0);
    expect(await client.exited()).toBe(0);
    expect(server.stdout().toString()).toBe('to-server\n');
    // nc prints nothing for a unix connect with -v.
    expect(client.stderr()).toBe('');
    // The socket file stays, as nc.openbsd leaves it.
    expect(lstatSync(path).isSocket()).toBe(true);
  });

  it('a stale socket file is replaced; a regular file is not', async () => {
    const stale = socketPath();
    // A listener killed by SIGKILL leaves its socket file behind.
    const old = tsnc(['-l', '-v', '-U', stale]);
    await old.stderrLine(/Listening on /);
    old.kill('SIGKILL');
    await old.exited();
    expect(lstatSync(stale).isSocket()).toBe(true);
    const server = tsnc(['-l', '-v', '-U', stale]);
    await server.stderrLine(/Listening on /);
    const client = tsnc(['-U', stale]);
    client.write('fresh\n');
    client.endStdin();
    expect(await server.exited()).toBe(0);
    expect(server.stdout().toString()).toBe('fresh\n');

    const regular = files.file('data.txt', 'precious\n');
    const refused = tsnc(['-l', '-U', regular]);
    expect(await refused.exited()).toBe(1);
    expect(refused.stderr()).toBe('tsnc: Address already in use\n');
    expect(readFileSync(regular, 'utf8')).toBe('precious\n');
  });

  it('@name is a Linux abstract socket: no file appears', async () => {
    const name = `@tsnc-test-${process.pid}-${Date.now()}`;
    const server = tsnc(['-l', '-v', '-U', name]);
    await server.stderrLine(/Listening on /);
    expect(server.stderr()).toBe(`Bound on ${name}\nListening on ${name}\n`);
    const client = tsnc(['-U', name]);
    client.write('abstract\n');
    client.endStdin();
    expect(await server.exited()).toBe(0);
    expect(server.stdout().toString()).toBe('abstract\n');
    expect(existsSync(name)).toBe(false);
  });

  it('a missing path: PATH: No such file or directory, always, exit 1', async () => {
    const path = join(files.dir, 'missing.sock');
    const proc = tsnc(['-U', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe(`tsnc: ${path}: No such file or directory\n`);
  });

  it('-z -U: exit 0 if something listens there, else 1', async () => {
    const path = socketPath();
    const server = tsnc(['-l', '-k', '-v', '-U', path]);
    await server.stderrLine(/Listening on /);
    expect(await tsnc(['-z', '-U', path], { stdio: ['ignore', 'pipe', 'pipe'] }).exited()).toBe(0);
    server.kill('SIGKILL');
    await server.exited();
    const probe = tsnc(['-z', '-U', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await probe.exited()).toBe(1);
    expect(probe.stderr()).toBe(`tsnc: ${path}: Connection refused\n`);
  });

  it('-U with a port, or without a path in listen mode: the nc errors', async () => {
    const withPort = tsnc(['-U', '/tmp/x.sock', '80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await withPort.exited()).toBe(1);
    expect(withPort.stderr()).toBe('tsnc: cannot use port with -U\n');
    const noPath = tsnc(['-lU'], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await noPath.exited()).toBe(1);
    expect(noPath.stderr()).toBe('tsnc: missing socket pathname\n');
  });
});
