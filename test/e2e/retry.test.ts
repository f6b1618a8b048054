// --retry DURATION: a sender started before its listener tries again every --interval until it
// connects (then transfers as usual) or the deadline passes (--wait's words, exit 1). stdin is
// not read before the connection exists. Over TCP, a name that resolves only later (a network
// namespace whose /etc/hosts is edited meanwhile), -x through microsocks, --ssl, and -U.
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, start, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { parseJsonLine } from '../helpers/json-events.js';
import { canUseRoot, Netns, ROOT_NOTE } from '../helpers/netns.js';
import { freePort } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';
import { makePki } from '../helpers/tls.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const payload = randomPayload(500_000);
const payloadPath = files.file('payload.bin', payload);

/** How many -v failure lines the sender has printed so far. */
const refusals = (proc: Proc, re = /Connection refused\n/g): number => (proc.stderr().match(re) ?? []).length;

/** The file offset of the process's stdin (a regular file shared with the test): 0 = nothing read. */
const stdinOffset = (proc: Proc): number => {
  const info = readFileSync(`/proc/${proc.child.pid ?? 0}/fdinfo/0`, 'utf8');
  return Number(/^pos:\s+(\d+)/m.exec(info)?.[1]);
};

describe('--retry', () => {
  it('TCP: refused until the listener starts; stdin (a file) is not read meanwhile; then every byte', async () => {
    const port = await freePort();
    const sender = tsnc(['-v', '--retry', '30s', '--interval', '200ms', '127.0.0.1', String(port)], {
      stdio: [openSync(payloadPath, 'r'), 'pipe', 'pipe'],
    });
    await waitFor(() => refusals(sender) >= 3, 'three refused attempts');
    expect(stdinOffset(sender)).toBe(0);
    const receiver = tsnc(['-l', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await sender.exited(30_000)).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
    expect(sender.stderr()).toMatch(
      new RegExp(
        `^(tsnc: connect to 127\\.0\\.0\\.1 port ${port} \\(tcp\\) failed: Connection refused\\n)+Connection to 127\\.0\\.0\\.1 ${port} port \\[tcp/\\*\\] succeeded!\\n$`,
      ),
    );
  });

  it('stdin a pipe written before the listener exists: nothing lost across attempts', async () => {
    const port = await freePort();
    const sender = tsnc(['-v', '--retry', '30s', '--interval', '200ms', '127.0.0.1', String(port)]);
    sender.write(payload.subarray(0, 1000));
    await waitFor(() => refusals(sender) >= 2, 'two refused attempts');
    sender.write(payload.subarray(1000));
    sender.endStdin();
    await waitFor(() => refusals(sender) >= 3, 'a third refused attempt');
    const receiver = tsnc(['-l', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await sender.exited(30_000)).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
  });

  it('the deadline passes: --wait’s line, exit 1; quiet without -v; at least two attempts fit in 1s at 300ms', async () => {
    const port = await freePort();
    const quiet = tsnc(['--retry', '1s', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await quiet.exited()).toBe(1);
    expect(quiet.stderr()).toBe(
      `tsnc: wait for 127.0.0.1 port ${port} (tcp) timed out after 1s: Connection refused\n`,
    );
    const json = tsnc(['--json', '--retry', '1s', '--interval', '300ms', '127.0.0.1', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await json.exited()).toBe(1);
    const events = json.stderr().trim().split('\n').map(parseJsonLine);
    const retries = events.filter((event) => event.event === 'retry');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]).toMatchObject({ host: '127.0.0.1', port, attempt: 1, reason: 'Connection refused' });
    expect(events.at(-2)).toMatchObject({
      event: 'error',
      message: `wait for 127.0.0.1 port ${port} (tcp) timed out after 1s: Connection refused`,
    });
    expect(events.at(-1)).toMatchObject({ event: 'summary', end: 'error', exitCode: 1 });
  });

  it('--ssl: retried until the TLS listener is up, then verified against the CA and sent', async () => {
    const pki = makePki(files.dir);
    const port = await freePort();
    const sender = tsnc(
      [
        '-v',
        '--retry',
        '30s',
        '--interval',
        '200ms',
        '--ssl-trustfile',
        pki.caCert,
        'localhost',
        String(port),
      ],
      {
        stdio: [openSync(payloadPath, 'r'), 'pipe', 'pipe'],
      },
    );
    await waitFor(() => refusals(sender) >= 2, 'two refused attempts');
    const receiver = tsnc(
      ['-l', '--ssl-cert', pki.serverCert, '--ssl-key', pki.serverKey, '-p', String(port)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(await sender.exited(30_000)).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
    expect(sender.stderr()).toMatch(
      /TLS connection with localhost port \d+: TLSv1\.3 \S+, certificate verified for localhost\n$/,
    );
  });

  it('-U: a socket path that does not exist yet, then a listener on it', async () => {
    const path = join(files.dir, 'later.sock');
    const sender = tsnc(['-v', '-U', '--retry', '30s', '--interval', '200ms', path], {
      stdio: [openSync(payloadPath, 'r'), 'pipe', 'pipe'],
    });
    await waitFor(() => refusals(sender, /No such file or directory\n/g) >= 2, 'two failed attempts');
    expect(stdinOffset(sender)).toBe(0);
    const receiver = tsnc(['-lU', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await sender.exited(30_000)).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
    expect(sender.stderr()).toMatch(new RegExp(`^(tsnc: ${path}: No such file or directory\\n)+$`));
  });

  it('-U: the deadline line names the path', async () => {
    const path = join(files.dir, 'never.sock');
    const sender = tsnc(['-U', '--retry', '500ms', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await sender.exited()).toBe(1);
    expect(sender.stderr()).toBe(`tsnc: wait for ${path} timed out after 500ms: No such file or directory\n`);
  });

  itWithPeer('microsocks')(
    '-x: the proxy starts late, then the listener behind it; every byte through it',
    async () => {
      const proxyPort = await freePort();
      const port = await freePort();
      const sender = tsnc(
        [
          '-v',
          '--retry',
          '30s',
          '--interval',
          '200ms',
          '-x',
          `127.0.0.1:${proxyPort}`,
          '127.0.0.1',
          String(port),
        ],
        {
          stdio: [openSync(payloadPath, 'r'), 'pipe', 'pipe'],
        },
      );
      // First the proxy itself refuses, then (proxy up) the proxy reports the refused target.
      await waitFor(() => refusals(sender) >= 2, 'two refused attempts at the proxy');
      const proxy = start('microsocks', ['-i', '127.0.0.1', '-p', String(proxyPort)]);
      await waitFor(() => /SOCKSv5 error/.test(sender.stderr()), 'the proxy’s refusal of the target');
      expect(stdinOffset(sender)).toBe(0);
      const receiver = tsnc(['-l', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(await sender.exited(30_000)).toBe(0);
      expect(await receiver.exited()).toBe(0);
      expect(sha256(receiver.stdout())).toBe(sha256(payload));
      proxy.kill();
    },
  );
});

describe.skipIf(!canUseRoot)(`--retry and a name that resolves later${ROOT_NOTE}`, () => {
  const ns = new Netns('retry');
  afterAll(() => ns.remove());

  it('a name missing from /etc/hosts is retried until it is added, then connected', async () => {
    ns.create();
    ns.etc('hosts', '127.0.0.1 localhost\n');
    // No DNS in the namespace: a name not in /etc/hosts fails at once.
    ns.localResolver(1);
    const sender = ns.tsnc(['-v', '--retry', '30s', '--interval', '200ms', 'db-later', '8001'], {
      stdio: [openSync(payloadPath, 'r'), 'pipe', 'pipe'],
    });
    await waitFor(
      () => refusals(sender, /getaddrinfo for host "db-later" port 8001: /g) >= 2,
      'two failed lookups',
      20_000,
    );
    expect(stdinOffset(sender)).toBe(0);
    const receiver = ns.tsnc(['-l', '-p', '8001'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitFor(() => ns.exec('ss', '-ltnH', 'sport = :8001').trim() !== '', 'the listener');
    ns.etc('hosts', '127.0.0.1 localhost\n127.0.0.1 db-later\n');
    expect(await sender.exited(30_000)).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
    expect(sender.stderr()).toMatch(
      /Connection to db-later \(127\.0\.0\.1\) 8001 port \[tcp\/\*\] succeeded!\n$/,
    );
  }, 40_000);
});
