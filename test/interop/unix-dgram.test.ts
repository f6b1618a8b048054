// -U -u against nc.openbsd and socat (UNIX-RECVFROM / UNIX-SENDTO and their ABSTRACT- forms), as
// client and as server: data both ways, answers to the client's own socket, abstract names, and
// a sender without a name.
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { killAll, start, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { itWithNativeAnd } from '../helpers/peers.js';
import { exchange, stdoutIncludes } from './kit.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

let counter = 0;
const socketPath = (): string => join(files.dir, `g${(counter += 1)}.sock`);
// Clients end by SIGKILL in teardown, which leaves their temporary socket: keep it in scratch.
const tsncHere = (args: string[]): Proc => tsnc(args, { env: { ...process.env, TMPDIR: files.dir } });
const abstractName = (): string => `tsnc-interop-${process.pid}-${(counter += 1)}`;

describe('interop: unix datagram sockets', () => {
  itWithNativeAnd('nc.openbsd')(
    'tsnc -l -U -u <-> nc.openbsd -U -u: same -v lines as nc.openbsd',
    async () => {
      const path = socketPath();
      const server = tsncHere(['-l', '-v', '-U', '-u', path]);
      await server.stderrLine(/Bound on /);
      const client = start('nc.openbsd', ['-U', '-u', path]);
      await exchange(client, server);
      expect(server.stderr()).toBe(`Bound on ${path}\nConnection received on ${path}\n`);
      // nc.openbsd's listener says the same (measured: Debian 1.219).
      const obPath = socketPath();
      const obServer = start('nc.openbsd', ['-l', '-v', '-U', '-u', obPath]);
      await obServer.stderrLine(/Bound on /);
      const obClient = start('nc.openbsd', ['-U', '-u', obPath]);
      await exchange(obClient, obServer);
      expect(obServer.stderr()).toBe(`Bound on ${obPath}\nConnection received on ${obPath}\n`);
    },
  );

  itWithNativeAnd('nc.openbsd')('tsnc -U -u <-> nc.openbsd -l -U -u, and with -s PATH', async () => {
    const path = socketPath();
    const server = start('nc.openbsd', ['-l', '-U', '-u', path]);
    await waitFor(() => existsSync(path), 'the nc.openbsd socket');
    const client = tsncHere(['-U', '-u', path]);
    await exchange(client, server);

    const other = socketPath();
    const own = socketPath();
    const second = start('nc.openbsd', ['-l', '-U', '-u', other]);
    await waitFor(() => existsSync(other), 'the second nc.openbsd socket');
    const named = tsncHere(['-v', '-U', '-u', '-s', own, other]);
    await named.stderrLine(new RegExp(`^Bound on ${own}\n`));
    await exchange(named, second);
    expect(lstatSync(own).isSocket()).toBe(true);
  });

  itWithNativeAnd('socat')(
    'tsnc -U -u <-> socat UNIX-RECVFROM: the echo comes back to the temporary socket',
    async () => {
      const path = socketPath();
      start('socat', [`UNIX-RECVFROM:${path},fork`, 'EXEC:/bin/cat']);
      await waitFor(() => existsSync(path), 'the socat socket');
      const client = tsncHere(['-U', '-u', path]);
      client.write('echo-me\n');
      await stdoutIncludes(client, 'echo-me\n');
    },
  );

  itWithNativeAnd('socat')('tsnc -l -U -u <-> socat UNIX-SENDTO,bind: the answer reaches socat', async () => {
    const path = socketPath();
    const server = tsncHere(['-l', '-U', '-u', path]);
    await waitFor(() => existsSync(path), 'the tsnc socket');
    const client = start('socat', ['-', `UNIX-SENDTO:${path},bind=${socketPath()}`]);
    await exchange(client, server);
  });

  itWithNativeAnd('socat')(
    'abstract names: tsnc <-> socat ABSTRACT-RECVFROM and ABSTRACT-SENDTO',
    async () => {
      const echo = abstractName();
      start('socat', [`ABSTRACT-RECVFROM:${echo},fork`, 'EXEC:/bin/cat']);
      // An abstract name has no file to wait for: the kernel's list of unix sockets has it.
      await waitFor(() => readFileSync('/proc/net/unix', 'utf8').includes(` @${echo}\n`), 'the socat socket');
      const client = tsncHere(['-U', '-u', '-s', `@${abstractName()}`, `@${echo}`]);
      client.write('abstract\n');
      await stdoutIncludes(client, 'abstract\n');

      const name = abstractName();
      const server = tsncHere(['-l', '-v', '-U', '-u', `@${name}`]);
      await server.stderrLine(/Bound on /);
      const peer = start('socat', ['-', `ABSTRACT-SENDTO:${name},bind=${abstractName()}`]);
      await exchange(peer, server);
      expect(server.stderr()).toBe(`Bound on @${name}\nConnection received on @${name}\n`);
    },
  );

  itWithNativeAnd('socat')(
    'a sender without a name is dropped with a warning; the next named one is the peer',
    async () => {
      const path = socketPath();
      const server = tsncHere(['-l', '-v', '-U', '-u', path]);
      await server.stderrLine(/Bound on /);
      const unnamed = start('socat', ['-u', '-', `UNIX-SENDTO:${path}`]);
      unnamed.write('lost\n');
      unnamed.endStdin();
      await server.stderrLine(/unbound socket/);
      expect(await unnamed.exited()).toBe(0);
      const named = start('socat', ['-', `UNIX-SENDTO:${path},bind=${socketPath()}`]);
      await exchange(named, server);
      expect(server.stdout().toString()).toBe('from-a\n');
      expect(server.stderr()).toBe(
        `Bound on ${path}\ntsnc: ${path}: datagram from an unbound socket dropped: no address to answer\n` +
          `Connection received on ${path}\n`,
      );
    },
  );
});
