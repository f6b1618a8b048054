import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { CLI, killAll, start, tsnc, waitFor } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { peerServer } from '../helpers/peer.js';
import { itWithNativeAnd, itWithPeer } from '../helpers/peers.js';
import { EXIT_MS, startPeerListener, stdoutIncludes } from './kit.js';

/*
 * -x/-X/-P through real proxies started on loopback by the test: microsocks (SOCKS5), Dante's
 * danted (SOCKS4), ncat --proxy-type http (HTTP CONNECT, with Basic auth for -P). The target is
 * a server in the test process; the bytes must cross both ways and the session end by itself.
 */

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

/** Talk to the target through the proxy: a greeting from the server, a line back, both ends close. */
const roundTrip = async (proxyArgs: string[], host = '127.0.0.1'): Promise<void> => {
  const target = await peerServer();
  const client = tsnc(['-v', ...proxyArgs, host, String(target.port)]);
  const conn = await target.accepted();
  conn.socket.write('hello-through-proxy\n');
  await stdoutIncludes(client, 'hello-through-proxy\n');
  client.write('answer\n');
  client.endStdin();
  await conn.fin;
  conn.socket.end();
  expect(await client.exited(EXIT_MS)).toBe(0);
  expect(conn.received().toString()).toBe('answer\n');
  expect(client.stderr()).toBe(`Connection to ${host} ${target.port} port [tcp/*] succeeded!\n`);
  target.close();
};

describe('interop: -X 5 through microsocks', () => {
  itWithNativeAnd('microsocks')(
    '-T marks the connection to the proxy (ss --tos), as nc.openbsd',
    async () => {
      const { port } = await startPeerListener('microsocks', (p) => ['-i', '127.0.0.1', '-p', String(p)], [
        'null',
        'null',
      ]);
      const target = await peerServer();
      const client = tsnc(['-T', 'ef', '-x', `127.0.0.1:${port}`, '127.0.0.1', String(target.port)]);
      const conn = await target.accepted();
      // The proxy reaches the target before its answer reaches tsnc, which then sets -T.
      const tos = (): string =>
        execFileSync('ss', ['-tn', '--tos', 'state', 'established', `( dport = :${port} )`], {
          encoding: 'utf8',
        });
      await waitFor(() => /tos:0x[1-9a-f]/.test(tos()), 'a ToS on the connection to the proxy');
      expect(tos()).toMatch(/tos:0xb8\b/);
      conn.socket.end();
      client.endStdin();
      expect(await client.exited(EXIT_MS)).toBe(0);
      target.close();
    },
  );

  itWithPeer('microsocks')('SOCKS5 with an address and with a name (the proxy resolves it)', async () => {
    const { port } = await startPeerListener('microsocks', (p) => ['-i', '127.0.0.1', '-p', String(p)], [
      'null',
      'null',
    ]);
    await roundTrip(['-X', '5', '-x', `127.0.0.1:${port}`]);
    await roundTrip(['-x', `127.0.0.1:${port}`], 'localhost');
  });

  itWithPeer('microsocks')('a refused target: the SOCKS5 error in nc.openbsd words, exit 1', async () => {
    const { port } = await startPeerListener('microsocks', (p) => ['-i', '127.0.0.1', '-p', String(p)], [
      'null',
      'null',
    ]);
    const closed = await peerServer();
    const closedPort = closed.port;
    closed.close();
    const proc = tsnc(['-x', `127.0.0.1:${port}`, '127.0.0.1', String(closedPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await proc.exited(EXIT_MS)).toBe(1);
    expect(proc.stderr()).toBe('tsnc: connection failed, SOCKSv5 error: Connection refused\n');
  });

  itWithPeer('microsocks')(
    'a proxy that wants a password: method negotiation fails, as in nc.openbsd',
    async () => {
      const { port } = await startPeerListener(
        'microsocks',
        (p) => ['-i', '127.0.0.1', '-p', String(p), '-u', 'u', '-P', 'p'],
        ['null', 'null'],
      );
      const proc = tsnc(['-x', `127.0.0.1:${port}`, '127.0.0.1', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(await proc.exited(EXIT_MS)).toBe(1);
      expect(proc.stderr()).toBe('tsnc: authentication method negotiation failed\n');
    },
  );
});

describe('interop: -X 4 through Dante', () => {
  itWithPeer('danted')('SOCKS4 (the name is resolved by tsnc)', async () => {
    const { proc: dante, port } = await startPeerListener(
      'danted',
      (p) => {
        const conf = join(files.dir, `danted-${p}.conf`);
        writeFileSync(
          conf,
          [
            'logoutput: stderr',
            `internal: 127.0.0.1 port = ${p}`,
            'external: 127.0.0.1',
            'clientmethod: none',
            'socksmethod: none',
            'user.privileged: root',
            'user.unprivileged: nobody',
            'client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }',
            'socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 protocol: tcp }',
            '',
          ].join('\n'),
        );
        return ['-f', conf, '-p', join(files.dir, `danted-${p}.pid`), '-N', '1'];
      },
      ['null', 'null'],
    );
    await roundTrip(['-X', '4', '-x', `127.0.0.1:${port}`]);
    await roundTrip(['-X', '4', '-x', `127.0.0.1:${port}`], 'localhost');
    // danted's children end with their mother.
    dante.kill('SIGTERM');
    await dante.exited(EXIT_MS);
  });
});

describe('interop: -X connect through ncat --proxy-type http', () => {
  itWithPeer('ncat')('HTTP CONNECT', async () => {
    const { port } = await startPeerListener(
      'ncat',
      (p) => ['-k', '-l', '127.0.0.1', String(p), '--proxy-type', 'http'],
      ['null', 'null'],
    );
    await roundTrip(['-X', 'connect', '-x', `127.0.0.1:${port}`]);
  });

  itWithPeer('ncat')('407 without -P: the proxy error line, exit 1', async () => {
    const { port } = await startPeerListener(
      'ncat',
      (p) => ['-k', '-l', '127.0.0.1', String(p), '--proxy-type', 'http', '--proxy-auth', 'u:p'],
      ['null', 'null'],
    );
    const proc = tsnc(['-X', 'connect', '-x', `127.0.0.1:${port}`, '127.0.0.1', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await proc.exited(EXIT_MS)).toBe(1);
    expect(proc.stderr()).toMatch(/^tsnc: Proxy error: "HTTP\/1\.[01] 407 [^"]*"\n$/);
  });

  itWithPeer('ncat')('-P: no terminal, no password: the nc.openbsd error', async () => {
    const { port } = await startPeerListener(
      'ncat',
      (p) => ['-k', '-l', '127.0.0.1', String(p), '--proxy-type', 'http', '--proxy-auth', 'u:p'],
      ['null', 'null'],
    );
    const proc = tsnc(['-X', 'connect', '-P', 'u', '-x', `127.0.0.1:${port}`, '127.0.0.1', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a new session: no controlling terminal, as under CI
    });
    expect(await proc.exited(EXIT_MS)).toBe(1);
    expect(proc.stderr()).toBe('tsnc: Unable to read proxy passphrase\n');
  });

  itWithPeer('ncat')('-P: the password is asked on the terminal, then the session runs', async () => {
    const { port } = await startPeerListener(
      'ncat',
      (p) => ['-k', '-l', '127.0.0.1', String(p), '--proxy-type', 'http', '--proxy-auth', 'u:s3cret'],
      ['null', 'null'],
    );
    const target = await peerServer();
    // script(1) gives tsnc a terminal; what the test writes is typed on it.
    const command = `${process.execPath} ${CLI} -X connect -P u -x 127.0.0.1:${port} 127.0.0.1 ${target.port}`;
    const proc = start('script', ['-qfec', command, '/dev/null']);
    await stdoutIncludes(proc, 'Proxy password for u@127.0.0.1: ');
    proc.write('s3cret\r');
    const conn = await target.accepted();
    conn.socket.end('authenticated\n');
    await stdoutIncludes(proc, 'authenticated');
    // The password was not echoed.
    expect(proc.stdout().toString()).not.toContain('s3cret');
    proc.kill('SIGTERM');
    target.close();
  });
});
