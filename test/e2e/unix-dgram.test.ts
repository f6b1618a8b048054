// -U -u: unix datagram sockets (the native addon), tsnc against tsnc: nc.openbsd's -v lines, the
// client's own socket (-s PATH or a temporary one, removed at exit), stale files, abstract names,
// no byte lost, -z, and the one-line error when the addon is missing.
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { itWithNative } from '../helpers/peers.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

let counter = 0;
const socketPath = (): string => join(files.dir, `d${(counter += 1)}.sock`);
/** Datagrams the python3 sender tries to send. */
const PY_DATAGRAMS = 2000;
// Sends up to PY_DATAGRAMS datagrams of 16 KiB (datagram i is 16384 bytes of i % 251) from its own
// socket to argv[1], blocking; prints how many went out before 3 s passed without progress.
const PY_SENDER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[2])
s.connect(sys.argv[1])
s.settimeout(3)
sent = 0
for i in range(${PY_DATAGRAMS}):
    try:
        s.send(bytes([i % 251]) * 16384)
    except socket.timeout:
        break
    sent += 1
print(sent, flush=True)
`;
const abstractName = (): string => `@tsnc-test-${process.pid}-${(counter += 1)}`;

describe('-U -u', () => {
  itWithNative(
    'listen and connect: nc.openbsd -v lines, data both ways, temporary client socket removed',
    async () => {
      const path = socketPath();
      const server = tsnc(['-l', '-v', '-U', '-u', path]);
      await server.stderrLine(/Bound on /);
      expect(lstatSync(path).isSocket()).toBe(true);
      const client = tsnc(['-v', '-U', '-u', path]);
      const [, own] = (await client.stderrLine(/^Bound on (\S+)\n/)) as unknown as [string, string];
      expect(own).toMatch(/\/recv\.sock$/);
      expect(lstatSync(own).isSocket()).toBe(true);
      client.write('to-server\n');
      await server.stderrLine(/Connection received on /);
      await waitFor(() => server.stdout().toString() === 'to-server\n', 'the datagram at the server');
      expect(server.stderr()).toBe(`Bound on ${path}\nConnection received on ${path}\n`);
      // The server answers the client's own socket: its first sender is its peer.
      server.write('to-client\n');
      await waitFor(() => client.stdout().toString() === 'to-client\n', 'the answer at the client');
      // A signal ends the client: its temporary socket and folder go too.
      client.kill('SIGTERM');
      expect(await client.exited()).toBe(143);
      expect(existsSync(dirname(own))).toBe(false);
      server.kill('SIGTERM');
      expect(await server.exited()).toBe(143);
      // A client that ends normally (-q 0 after its stdin) removes its temporary socket and folder.
      const second = socketPath();
      const listener = tsnc(['-l', '-U', '-u', second]);
      await waitFor(() => existsSync(second), 'the second server socket');
      const quick = tsnc(['-v', '-q', '0', '-U', '-u', second]);
      const [, tempPath] = (await quick.stderrLine(/^Bound on (\S+)\n/)) as unknown as [string, string];
      quick.endStdin();
      expect(await quick.exited()).toBe(0);
      expect(existsSync(tempPath)).toBe(false);
      expect(existsSync(dirname(tempPath))).toBe(false);
      listener.kill();
      // The listener's socket file stays after it ends, as nc.openbsd leaves it.
      expect(lstatSync(path).isSocket()).toBe(true);
    },
  );

  itWithNative(
    '-s PATH is the client socket: bound there, a stale file replaced, left after exit',
    async () => {
      const path = socketPath();
      const own = socketPath();
      const server = tsnc(['-l', '-U', '-u', path]);
      await waitFor(() => existsSync(path), 'the server socket');
      // A socket file left at own by a killed client.
      const old = tsnc(['-U', '-u', '-s', own, path]);
      await waitFor(() => existsSync(own), 'the first client socket');
      old.kill('SIGKILL');
      await old.exited();
      expect(lstatSync(own).isSocket()).toBe(true);

      const client = tsnc(['-v', '-q', '0', '-U', '-u', '-s', own, path]);
      await client.stderrLine(new RegExp(`^Bound on ${own}\n`));
      client.write('hello\n');
      await waitFor(() => server.stdout().toString() === 'hello\n', 'the datagram at the server');
      server.write('back\n');
      await waitFor(() => client.stdout().toString() === 'back\n', 'the answer at -s PATH');
      client.endStdin();
      expect(await client.exited()).toBe(0);
      expect(lstatSync(own).isSocket()).toBe(true);
    },
  );

  itWithNative('abstract names (@name) for the server and for -s', async () => {
    const name = abstractName();
    const own = abstractName();
    const server = tsnc(['-l', '-v', '-U', '-u', name]);
    await server.stderrLine(new RegExp(`^Bound on ${name}\n`));
    const client = tsnc(['-v', '-U', '-u', '-s', own, name]);
    await client.stderrLine(new RegExp(`^Bound on ${own}\n`));
    client.write('abstract\n');
    await waitFor(() => server.stdout().toString() === 'abstract\n', 'the datagram at the server');
    server.write('answer\n');
    await waitFor(() => client.stdout().toString() === 'answer\n', 'the answer at the client');
    expect(existsSync(join(process.cwd(), name))).toBe(false);
  });

  itWithNative(
    '4 MiB in 16 KiB datagrams arrives whole: a full receive queue makes the sender wait',
    async () => {
      const path = socketPath();
      const payload = randomPayload(4 * 1024 * 1024);
      const input = files.file('payload.bin', payload);
      const server = tsnc(['-l', '-U', '-u', path]);
      await waitFor(() => existsSync(path), 'the server socket');
      const client = start('sh', [
        '-c',
        `exec "$0" "$1" -q 0 -U -u "$2" < "$3"`,
        process.execPath,
        CLI,
        path,
        input,
      ]);
      expect(await client.exited(60_000)).toBe(0);
      await waitFor(() => server.stdout().length >= payload.length, 'every byte at the server', 60_000);
      expect(server.stdout().length).toBe(payload.length);
      expect(sha256(server.stdout())).toBe(sha256(payload));
    },
    90_000,
  );

  itWithNative(
    'a reader that is behind holds the sender back: the kernel queue fills instead of memory',
    async () => {
      const path = socketPath();
      const server = tsnc(['-l', '-U', '-u', path]);
      await waitFor(() => existsSync(path), 'the server socket');
      // Nobody reads the server's stdout for now: the pipe fills, then tsnc must stop taking
      // datagrams off its socket, and the sender's send() blocks (3 s without progress ends it).
      server.child.stdout?.pause();
      const sender = start('python3', ['-c', PY_SENDER, path, socketPath()]);
      expect(await sender.exited(30_000)).toBe(0);
      const sent = Number(sender.stdout().toString().trim());
      // Everything would go through (and pile up in tsnc's memory) without flow control.
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(PY_DATAGRAMS);
      server.child.stdout?.resume();
      const expected = Buffer.concat(Array.from({ length: sent }, (_, i) => Buffer.alloc(16384, i % 251)));
      await waitFor(() => server.stdout().length >= expected.length, 'what was sent, at the server');
      expect(server.stdout().equals(expected)).toBe(true);
    },
    60_000,
  );

  itWithNative('errors: no server at the path; bind on a regular file; -z open and closed', async () => {
    const missing = join(files.dir, 'nobody.sock');
    const client = tsnc(['-v', '-U', '-u', missing]);
    const [, tempPath] = (await client.stderrLine(/^Bound on (\S+)\n/)) as unknown as [string, string];
    expect(await client.exited()).toBe(1);
    expect(client.stderr()).toBe(`Bound on ${tempPath}\ntsnc: ${missing}: No such file or directory\n`);
    expect(existsSync(dirname(tempPath))).toBe(false);

    // A stream socket at the path: nc.openbsd's words for it.
    const stream = socketPath();
    const streamServer = tsnc(['-l', '-U', stream]);
    await waitFor(() => existsSync(stream), 'the stream socket');
    const wrongType = tsnc(['-U', '-u', stream]);
    expect(await wrongType.exited()).toBe(1);
    expect(wrongType.stderr()).toBe(`tsnc: ${stream}: Protocol wrong type for socket\n`);
    streamServer.kill();

    const regular = files.file('keep.txt', 'precious\n');
    const server = tsnc(['-l', '-U', '-u', regular]);
    expect(await server.exited()).toBe(1);
    expect(server.stderr()).toBe('tsnc: bind failed: Address already in use\n');
    expect(readFileSync(regular, 'utf8')).toBe('precious\n');

    const path = socketPath();
    tsnc(['-l', '-U', '-u', path]);
    await waitFor(() => existsSync(path), 'the server socket');
    const open = tsnc(['-z', '-U', '-u', path]);
    expect(await open.exited()).toBe(0);
    const closed = tsnc(['-z', '-U', '-u', missing]);
    expect(await closed.exited()).toBe(1);
    expect(closed.stderr()).toBe(`tsnc: ${missing}: No such file or directory\n`);
  });
});

describe('without dist/tsnc-native.node (only tsnc.cjs copied)', () => {
  it('-U -u, -T and TCP -I/-O fail with one line saying why; everything else works', async () => {
    const alone = mkdtempSync(join(files.dir, 'alone-'));
    const bundle = join(alone, 'tsnc.cjs');
    copyFileSync(CLI, bundle);
    const addon = join(alone, 'tsnc-native.node');
    const run = (args: string[]) => start(process.execPath, [bundle, ...args]);
    const cases: [string[], string][] = [
      [['-l', '-U', '-u', join(alone, 's.sock')], 'unix datagram socket'],
      [['-l', '-T', 'ef', '-s', '127.0.0.1', '-p', '0'], 'set IP ToS'],
      [['-l', '-I', '4096', '-s', '127.0.0.1', '-p', '0'], 'set TCP buffer size'],
    ];
    for (const [args, feature] of cases) {
      const proc = run(args);
      expect(await proc.exited()).toBe(1);
      expect(proc.stderr()).toBe(
        `tsnc: ${feature}: needs the native addon ${addon}: No such file or directory\n`,
      );
    }
    // UDP -I/-O need no addon (Node sets them), nor does anything else.
    const udp = run(['-u', '-I', '4096', '-O', '4096', '-q', '0', '127.0.0.1', '9']);
    udp.child.stdin?.end();
    expect(await udp.exited()).toBe(0);
    const version = run(['--version']);
    expect(await version.exited()).toBe(0);
    rmSync(alone, { recursive: true, force: true });
  });
});
