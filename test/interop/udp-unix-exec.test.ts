import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { killAll, start, tsnc, waitFor } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { itWithPeer } from '../helpers/peers.js';
import { udpPeer } from '../helpers/udp.js';
import { freePort } from '../helpers/peer.js';
import { exchange, EXIT_MS, stdoutIncludes } from './kit.js';

/*
 * -u and -U against nc.openbsd and socat in both roles, and -e/-c against what ncat and
 * nc.traditional do with the same program.
 */

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

let counter = 0;
const socketPath = (): string => join(files.dir, `i${(counter += 1)}.sock`);

describe('interop: UDP', () => {
  itWithPeer('nc.openbsd')('tsnc -u -l <-> nc.openbsd -u', async () => {
    const proc = tsnc(['-u', '-l', '-v', '-n', '-p', '0']);
    const port = Number((await proc.stderrLine(/Bound on \S+ (\d+)\n/))[1]);
    const peer = start('nc.openbsd', ['-u', '-n', '127.0.0.1', String(port)]);
    await exchange(peer, proc);
  });

  itWithPeer('nc.openbsd')('tsnc -u <-> nc.openbsd -u -l', async () => {
    const port = await freePort();
    const peer = start('nc.openbsd', ['-u', '-l', '-n', '127.0.0.1', String(port)]);
    // OB's UDP listener binds without a message; a datagram sent before it is bound is lost,
    // so send until it shows up (bounded).
    const proc = tsnc(['-u', '-n', '127.0.0.1', String(port)]);
    for (let i = 0; i < 50 && !peer.stdout().includes('hello'); i += 1) {
      proc.write('hello\n');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stdoutIncludes(peer, 'hello\n');
    await exchange(proc, peer);
  });

  itWithPeer('socat')('tsnc -u -l <-> socat UDP', async () => {
    const proc = tsnc(['-u', '-l', '-v', '-n', '-p', '0']);
    const port = Number((await proc.stderrLine(/Bound on \S+ (\d+)\n/))[1]);
    const peer = start('socat', ['-', `UDP:127.0.0.1:${port}`]);
    await exchange(peer, proc);
  });

  itWithPeer('socat')('tsnc -u <-> socat UDP-RECVFROM: the reply comes back', async () => {
    const probe = await udpPeer();
    const port = probe.port;
    probe.close();
    const peer = start('socat', [`UDP-RECVFROM:${port},bind=127.0.0.1,fork`, 'EXEC:/bin/cat']);
    const proc = tsnc(['-u', '-n', '127.0.0.1', String(port)]);
    for (let i = 0; i < 50 && !proc.stdout().includes('echo-me'); i += 1) {
      proc.write('echo-me\n');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await stdoutIncludes(proc, 'echo-me\n');
    peer.kill();
  });
});

describe('interop: unix sockets', () => {
  itWithPeer('nc.openbsd')('tsnc -l -U <-> nc.openbsd -U, and nc.openbsd -l -U <-> tsnc -U', async () => {
    const first = socketPath();
    const server = tsnc(['-l', '-v', '-U', first]);
    await server.stderrLine(/Listening on /);
    const client = start('nc.openbsd', ['-U', first]);
    await exchange(client, server);
    client.endStdin();
    server.endStdin();
    expect(await Promise.all([server.exited(EXIT_MS), client.exited(EXIT_MS)])).toEqual([0, 0]);

    const second = socketPath();
    const obServer = start('nc.openbsd', ['-l', '-v', '-U', second]);
    await obServer.stderrLine(/Listening on /);
    const tsncClient = tsnc(['-U', second]);
    await exchange(tsncClient, obServer);
    // nc.openbsd over -U exits when the peer closes; tsnc, whose stdin carried bytes, ends at
    // its stdin's EOF (rule 2).
    obServer.endStdin();
    tsncClient.endStdin();
    expect(await Promise.all([obServer.exited(EXIT_MS), tsncClient.exited(EXIT_MS)])).toEqual([0, 0]);
  });

  itWithPeer('socat')('socat UNIX-CONNECT and UNIX-LISTEN', async () => {
    const path = socketPath();
    const server = tsnc(['-l', '-v', '-U', path]);
    await server.stderrLine(/Listening on /);
    const client = start('socat', ['-', `UNIX-CONNECT:${path}`]);
    await exchange(client, server);

    const other = socketPath();
    const socatServer = start('socat', [`UNIX-LISTEN:${other}`, '-']);
    await waitFor(() => {
      try {
        return lstatSync(other).isSocket();
      } catch {
        return false;
      }
    }, 'socat listening');
    const tsncClient = tsnc(['-U', other]);
    await exchange(tsncClient, socatServer);
  });
});

describe('interop: -e/-c as ncat and nc.traditional do it', () => {
  itWithPeer('ncat')(
    "the same -e program answers the same way through ncat's and tsnc's listeners",
    async () => {
      for (const listen of [
        (port: number) => start('ncat', ['-l', '127.0.0.1', String(port), '-e', '/bin/echo hello world']),
        (port: number) => tsnc(['-l', '127.0.0.1', String(port), '-e', '/bin/echo hello world']),
      ]) {
        const port = await freePort();
        const server = listen(port);
        let reply = '';
        for (let i = 0; i < 50 && reply === ''; i += 1) {
          // No -N: ncat ends the session at the client's FIN before its program has answered.
          const client = start('nc.openbsd', ['-n', '127.0.0.1', String(port)], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          await client.exited(EXIT_MS);
          reply = client.stdout().toString();
          if (reply === '') await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(reply).toBe('hello world\n');
        expect(await server.exited(EXIT_MS)).toBe(0);
      }
    },
  );

  itWithPeer('nc.traditional')('-c with a pipeline, against nc.traditional as the client', async () => {
    const proc = tsnc(['-l', '-v', '-n', '-p', '0', '-c', 'tr a-z A-Z']);
    const port = Number((await proc.stderrLine(/Listening on \S+ (\d+)\n/))[1]);
    const client = start('nc.traditional', ['-q', '5', '-n', '127.0.0.1', String(port)]);
    // tr answers at its EOF (it buffers a pipe): nc.traditional -q sends FIN at its stdin's EOF.
    client.write('shout\n');
    client.endStdin();
    await stdoutIncludes(client, 'SHOUT\n');
    expect(await proc.exited(EXIT_MS)).toBe(0);
  });
});
