// -U @name against socat and python3, both ways, stream and datagram: an abstract name is as
// long as the name itself (what every other program uses), not sun_path padded with NULs to 108
// bytes. /proc/net/unix shows the name exactly as bound.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, start, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { itWithNativeAnd } from '../helpers/peers.js';
import { exchange, EXIT_MS } from './kit.js';
import { piecesPeer } from './pieces.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

let counter = 0;
const abstractName = (): string => `tsnc-abstract-${process.pid}-${(counter += 1)}`;
// -U -u clients end by SIGKILL in teardown, which leaves their temporary socket: keep it in scratch.
const tsncHere = (args: string[]): Proc => tsnc(args, { env: { ...process.env, TMPDIR: files.dir } });

/** The names of the unix sockets bound now, as /proc/net/unix shows them (abstract: "@name"). */
const boundNames = (): string[] =>
  readFileSync('/proc/net/unix', 'latin1')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[7] ?? '')
    .filter((name) => name !== '');

/** Wait until an abstract name is bound exactly (no NUL padding: /proc shows it as "@"). */
const boundExactly = (name: string): Promise<void> =>
  waitFor(() => boundNames().includes(`@${name}`), `@${name} in /proc/net/unix`);

describe('interop: abstract unix stream sockets (-U @name)', () => {
  itWithNativeAnd('socat')(
    'tsnc -l -U @name is bound exactly and socat ABSTRACT-CONNECT reaches it',
    async () => {
      const name = abstractName();
      const server = tsnc(['-l', '-v', '-U', `@${name}`]);
      await server.stderrLine(/Listening on /);
      await boundExactly(name);
      expect(boundNames().filter((bound) => bound.startsWith(`@${name}`))).toEqual([`@${name}`]);
      const client = start('socat', ['-', `ABSTRACT-CONNECT:${name}`]);
      await exchange(client, server);
      expect(server.stderr()).toBe(
        `Bound on @${name}\nListening on @${name}\nConnection received on @${name}\n`,
      );
    },
  );

  itWithNativeAnd('socat')('tsnc -U @name reaches socat ABSTRACT-LISTEN', async () => {
    const name = abstractName();
    const server = start('socat', [`ABSTRACT-LISTEN:${name}`, '-']);
    await boundExactly(name);
    const client = tsnc(['-U', `@${name}`]);
    await exchange(client, server);
  });

  itWithNativeAnd('python3')("tsnc -l -U @name <-> python3 AF_UNIX '\\0name': data both ways", async () => {
    const name = abstractName();
    const server = tsnc(['-l', '-v', '-U', `@${name}`]);
    await server.stderrLine(/Listening on /);
    const peer = piecesPeer({
      transport: 'unix',
      role: 'connect',
      path: `@${name}`,
      steps: [{ send: 'from-python\n', piece: 64 }, { shutdown: true }, { recv: 'from-tsnc\n'.length }],
    });
    server.write('from-tsnc\n');
    server.endStdin();
    expect((await peer.received()).toString()).toBe('from-tsnc\n');
    expect(await server.exited(EXIT_MS)).toBe(0);
    expect(server.stdout().toString()).toBe('from-python\n');
  });

  itWithNativeAnd('python3')("tsnc -U @name <-> python3 listening on '\\0name': data both ways", async () => {
    const name = abstractName();
    const peer = piecesPeer({
      transport: 'unix',
      role: 'listen',
      path: `@${name}`,
      steps: [{ send: 'from-python\n', piece: 64 }, { shutdown: true }, { eof: true }],
    });
    await peer.ready;
    await boundExactly(name);
    const client = tsnc(['-U', `@${name}`]);
    client.write('from-tsnc\n');
    client.endStdin();
    expect((await peer.received()).toString()).toBe('from-tsnc\n');
    expect(await client.exited(EXIT_MS)).toBe(0);
    expect(client.stdout().toString()).toBe('from-python\n');
  });

  itWithNativeAnd('nc.openbsd')('tsnc <-> nc.openbsd -U @name, either one listening', async () => {
    const name = abstractName();
    const server = tsnc(['-l', '-v', '-U', `@${name}`]);
    await server.stderrLine(/Listening on /);
    await exchange(start('nc.openbsd', ['-U', `@${name}`]), server);
    const other = abstractName();
    const obServer = start('nc.openbsd', ['-l', '-U', `@${other}`]);
    await boundExactly(other);
    await exchange(tsnc(['-U', `@${other}`]), obServer);
  });

  itWithNativeAnd('socat')(
    '-z -U @name: open for a socat listener, refused for a name nobody has',
    async () => {
      const name = abstractName();
      start('socat', [`ABSTRACT-LISTEN:${name},fork`, 'EXEC:/bin/cat']);
      await boundExactly(name);
      expect(await tsnc(['-z', '-U', `@${name}`]).exited(EXIT_MS)).toBe(0);
      const nobody = tsnc(['-z', '-U', `@${abstractName()}`]);
      expect(await nobody.exited(EXIT_MS)).toBe(1);
      expect(nobody.stderr()).toMatch(/^tsnc: @tsnc-abstract-\S+: Connection refused\n$/);
    },
  );
});

describe('interop: abstract unix datagram sockets (-U -u @name)', () => {
  itWithNativeAnd('python3')('tsnc -l -U -u @name <-> python3 bound to another abstract name', async () => {
    const name = abstractName();
    const own = abstractName();
    const server = tsncHere(['-l', '-v', '-U', '-u', `@${name}`]);
    await server.stderrLine(/Bound on /);
    expect(boundNames()).toContain(`@${name}`);
    const peer = piecesPeer({
      transport: 'unix-dgram',
      role: 'connect',
      path: `@${name}`,
      bind: `@${own}`,
      steps: [{ send: 'from-python\n', piece: 64 }, { recv: 'from-tsnc\n'.length }],
    });
    await waitFor(() => server.stdout().toString() === 'from-python\n', 'the datagram on tsnc stdout');
    server.write('from-tsnc\n');
    expect((await peer.received()).toString()).toBe('from-tsnc\n');
    expect(server.stderr()).toBe(`Bound on @${name}\nConnection received on @${name}\n`);
  });

  itWithNativeAnd('python3')('tsnc -U -u -s @own @name <-> python3: the sender is exactly @own', async () => {
    const name = abstractName();
    const own = abstractName();
    const peer = piecesPeer({
      transport: 'unix-dgram',
      role: 'listen',
      path: `@${name}`,
      steps: [{ recv: 'from-tsnc\n'.length }, { send: 'from-python\n', piece: 64 }],
    });
    await peer.ready;
    const client = tsncHere(['-U', '-u', '-s', `@${own}`, `@${name}`]);
    client.write('from-tsnc\n');
    expect(await peer.peer()).toBe(`\0${own}`);
    expect((await peer.received()).toString()).toBe('from-tsnc\n');
    await waitFor(() => client.stdout().toString() === 'from-python\n', 'the answer on tsnc stdout');
    expect(boundNames()).toContain(`@${own}`);
  });

  itWithNativeAnd('socat')('tsnc -U -u (temporary socket) -> socat ABSTRACT-RECVFROM, and back', async () => {
    const name = abstractName();
    start('socat', [`ABSTRACT-RECVFROM:${name},fork`, 'EXEC:/bin/cat']);
    await boundExactly(name);
    const client = tsncHere(['-v', '-U', '-u', `@${name}`]);
    const bound = (await client.stderrLine(/^Bound on (\S+)\n/))[1] ?? '';
    expect(bound.startsWith(join(files.dir, 'tsnc-'))).toBe(true);
    client.write('echo-me\n');
    await waitFor(() => client.stdout().toString() === 'echo-me\n', 'the echo on tsnc stdout');
  });
});

describe('abstract unix stream sockets without the addon', () => {
  it('-U @name says the addon is missing, one line, exit 1; a path needs no addon', async () => {
    const alone = mkdtempSync(join(files.dir, 'alone-'));
    const bundle = join(alone, 'tsnc.cjs');
    copyFileSync(CLI, bundle);
    const run = (args: string[]): Proc => start(process.execPath, [bundle, ...args]);
    const missing = `tsnc: abstract unix socket: needs the native addon ${join(alone, 'tsnc-native.node')}: No such file or directory\n`;
    for (const args of [
      ['-l', '-U', `@${abstractName()}`],
      ['-U', `@${abstractName()}`],
      ['-z', '-U', '@x'],
    ]) {
      const proc = run(args);
      expect(await proc.exited(EXIT_MS)).toBe(1);
      expect(proc.stderr()).toBe(missing);
    }
    const refused = run(['-U', join(alone, 'nobody.sock')]);
    expect(await refused.exited(EXIT_MS)).toBe(1);
    expect(refused.stderr()).toBe(`tsnc: ${join(alone, 'nobody.sock')}: No such file or directory\n`);
  });
});
