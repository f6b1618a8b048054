// --wait: against real listeners on loopback, a port that opens later, an application
// probe (a fake Redis), and names that resolve only later, in a network namespace with its own
// DNS and /etc/hosts (no lookup leaves it).
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, tsnc } from '../helpers/cli.js';
import { freePort, peerServer } from '../helpers/peer.js';
import { canUseRoot, Netns, ROOT_NOTE } from '../helpers/netns.js';
import { AT_ONCE_MS, NXDOMAIN_DNS } from '../reliability/kit.js';

afterEach(killAll);

const run = async (args: string[]): Promise<{ status: number; stderr: string; ms: number }> => {
  const started = Date.now();
  const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const status = await proc.exited(30_000);
  return { status, stderr: proc.stderr(), ms: Date.now() - started };
};

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

/** A listener that answers each connection as reply(n, what it read so far) says (n from 1). */
const fakeService = async (
  reply: (n: number, request: string) => string | undefined,
): Promise<{ port: number; connections: () => number; requests: string[] }> => {
  let count = 0;
  const requests: string[] = [];
  const server = createServer((socket: Socket) => {
    count += 1;
    const n = count;
    let request = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      request += chunk.toString('latin1');
      requests[n - 1] = request;
      const answer = reply(n, request);
      if (answer !== undefined) socket.end(answer);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, connections: () => count, requests };
};

/** Why --expect '^SMTP' fails against sshBanner(). */
const BANNER_MISMATCH = 'connection closed after 21 bytes without a match for --expect';

/** A service that greets each client with an SSH banner (21 bytes) and closes. */
const sshBanner = async (): Promise<number> => {
  const server = createServer((socket) => {
    socket.on('error', () => undefined); // a probe that gives up may reset
    socket.end('SSH-2.0-OpenSSH_9.2\r\n');
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
};

describe('--wait on loopback', () => {
  it('every target already listening, both spellings: exit 0, silent', async () => {
    const a = await peerServer();
    const b = await peerServer();
    try {
      const { status, stderr } = await run(['--wait', '127.0.0.1', String(a.port), `127.0.0.1:${b.port}`]);
      expect(stderr).toBe('');
      expect(status).toBe(0);
      // Each target was really connected to.
      await a.accepted();
      await b.accepted();
    } finally {
      a.close();
      b.close();
    }
  });

  it('-v: nc’s success line for each target', async () => {
    const a = await peerServer();
    try {
      const { status, stderr } = await run(['--wait', '-v', `tcp://127.0.0.1:${a.port}`]);
      expect(status).toBe(0);
      expect(stderr).toBe(`Connection to 127.0.0.1 ${a.port} port [tcp/*] succeeded!\n`);
    } finally {
      a.close();
    }
  });

  it('a port that stays closed: retried until --timeout, then one line per failing target, exit 1', async () => {
    const closed = await freePort();
    const open = await peerServer();
    try {
      const { status, stderr, ms } = await run([
        '--wait',
        '-v',
        '--timeout',
        '1s',
        '--interval',
        '200ms',
        `127.0.0.1:${closed}`,
        '127.0.0.1',
        String(open.port),
      ]);
      expect(status).toBe(1);
      const lines = stderr.split('\n').slice(0, -1);
      const attempt = `tsnc: connect to 127.0.0.1 port ${closed} (tcp) failed: Connection refused`;
      expect(lines.filter((line) => line === attempt).length).toBeGreaterThanOrEqual(2);
      expect(lines).toContain(`Connection to 127.0.0.1 ${open.port} port [tcp/*] succeeded!`);
      expect(lines.at(-1)).toBe(
        `tsnc: wait for 127.0.0.1 port ${closed} (tcp) timed out after 1s: Connection refused`,
      );
      expect(ms).toBeLessThan(1000 + AT_ONCE_MS);
    } finally {
      open.close();
    }
  });

  it('without -v only the final line', async () => {
    const closed = await freePort();
    const { status, stderr } = await run(['--wait', '--timeout', '300ms', `127.0.0.1:${closed}`]);
    expect(status).toBe(1);
    expect(stderr).toBe(
      `tsnc: wait for 127.0.0.1 port ${closed} (tcp) timed out after 300ms: Connection refused\n`,
    );
  });

  it('a port that opens while tsnc waits: exit 0 once it does', async () => {
    const port = await freePort();
    const proc = tsnc(['--wait', '-v', '--timeout', '20s', '--interval', '100ms', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await proc.stderrLine(/failed: Connection refused\n/);
    const late = createServer((socket) => socket.destroy());
    servers.push(late);
    late.listen(port, '127.0.0.1');
    await once(late, 'listening');
    expect(await proc.exited()).toBe(0);
    expect(proc.stderr()).toMatch(
      new RegExp(`Connection to 127\\.0\\.0\\.1 ${port} port \\[tcp/\\*\\] succeeded!\\n$`),
    );
  });
});

describe('--wait --send --expect: an application-level probe', () => {
  it('a Redis that is loading at first: ready once it answers +PONG', async () => {
    const redis = await fakeService((n, request) =>
      request.endsWith('\r\n') ? (n < 3 ? '-LOADING Redis is loading\r\n' : '+PONG\r\n') : undefined,
    );
    const { status, stderr } = await run([
      '--wait',
      '-v',
      '--timeout',
      '20s',
      '--interval',
      '100ms',
      '--send',
      'PING\\r\\n',
      '--expect',
      '^\\+PONG',
      `127.0.0.1:${redis.port}`,
    ]);
    expect(status).toBe(0);
    expect(redis.connections()).toBe(3);
    expect(redis.requests).toEqual(['PING\r\n', 'PING\r\n', 'PING\r\n']);
    expect(stderr).toBe(
      `tsnc: probe of 127.0.0.1 port ${redis.port} (tcp) failed: connection closed after 27 bytes without a match for --expect\n`.repeat(
        2,
      ) + `Connection to 127.0.0.1 ${redis.port} port [tcp/*] succeeded!\n`,
    );
  });

  it('attempts start an interval apart, and none at the deadline (2s at 1s: two attempts, both said)', async () => {
    // Timers fire up to a millisecond early by performance.now(): a loop that trusted them started a
    // third attempt with nothing left of the deadline, whose "0 bytes received" became the reason.
    const port = await sshBanner();
    const args = [
      '--wait',
      '-v',
      '--timeout',
      '2s',
      '--interval',
      '1s',
      '--expect',
      '^SMTP',
      `127.0.0.1:${port}`,
    ];
    for (let round = 0; round < 3; round += 1) {
      const { status, stderr } = await run(args);
      expect(status).toBe(1);
      expect(stderr).toBe(
        `tsnc: probe of 127.0.0.1 port ${port} (tcp) failed: ${BANNER_MISMATCH}\n`.repeat(2) +
          `tsnc: wait for 127.0.0.1 port ${port} (tcp) timed out after 2s: ${BANNER_MISMATCH}\n`,
      );
    }
  });

  it('a banner (--expect alone) that never matches: exit 1 with the reason', async () => {
    const ssh = await fakeService(() => undefined);
    const port = await sshBanner();
    expect((await run(['--wait', '--expect', '^SSH-2\\.0-', `127.0.0.1:${port}`])).status).toBe(0);
    // 2 s: the last attempt (at 1 s) has a whole interval to see the banner and the close. With
    // 500 ms, a start slowed by a loaded machine let the deadline cut the first attempt between
    // the two (CI: "no match for --expect in 21 bytes received").
    const { status, stderr } = await run([
      '--wait',
      '--timeout',
      '2s',
      '--expect',
      '^SMTP',
      `127.0.0.1:${port}`,
    ]);
    expect(status).toBe(1);
    expect(stderr).toBe(
      `tsnc: wait for 127.0.0.1 port ${port} (tcp) timed out after 2s: ${BANNER_MISMATCH}\n`,
    );
    // A service that accepts and says nothing: the deadline ends the attempt.
    const silent = await run(['--wait', '--timeout', '500ms', '--expect', 'x', `127.0.0.1:${ssh.port}`]);
    expect(silent.status).toBe(1);
    expect(silent.stderr).toBe(
      `tsnc: wait for 127.0.0.1 port ${ssh.port} (tcp) timed out after 500ms: no match for --expect in 0 bytes received\n`,
    );
  });

  it('-w bounds one attempt, so a silent first connection does not use up the deadline', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
      if (connections > 1) socket.end('READY\n');
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const { status, stderr } = await run([
      '--wait',
      '-v',
      '-w',
      '1',
      '--interval',
      '100ms',
      '--timeout',
      '20s',
      '--expect',
      'READY',
      `127.0.0.1:${port}`,
    ]);
    expect(status).toBe(0);
    expect(connections).toBe(2);
    expect(stderr).toBe(
      `tsnc: probe of 127.0.0.1 port ${port} (tcp) failed: no match for --expect in 0 bytes received\n` +
        `Connection to 127.0.0.1 ${port} port [tcp/*] succeeded!\n`,
    );
  });
});

describe.skipIf(!canUseRoot)(`--wait for a name that resolves later${ROOT_NOTE}`, () => {
  const ns = new Netns('wait');
  beforeAll(async () => {
    ns.create();
    // Every lookup stays in the namespace: /etc/hosts first, then a DNS that says NXDOMAIN.
    ns.localResolver(1);
    ns.etc('hosts', '127.0.0.1 localhost\n');
    await ns.helper('python3', [NXDOMAIN_DNS]);
  });
  afterAll(async () => {
    await ns.remove();
  });

  it('a name that never resolves: the resolver’s reason in the final line, exit 1', async () => {
    const proc = ns.tsnc(['--wait', '--timeout', '1s', 'never.test:8001'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe(
      'tsnc: wait for never.test port 8001 (tcp) timed out after 1s: Name or service not known\n',
    );
  });

  it('a name that appears in /etc/hosts while tsnc waits: exit 0', async () => {
    const proc = ns.tsnc(['--wait', '-v', '--timeout', '20s', '--interval', '100ms', 'db.test', '8001'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await proc.stderrLine(/getaddrinfo for host "db\.test" port 8001: Name or service not known\n/);
    const db = ns.tsnc(['-l', '-k', '-v', '-n', '-p', '8001'], { stdio: ['ignore', 'ignore', 'pipe'] });
    await db.stderrLine(/Listening on /);
    // The same file (inode) `ip netns exec` bind-mounted over /etc/hosts: tsnc sees the change.
    ns.etc('hosts', '127.0.0.1 localhost\n127.0.0.1 db.test\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stderr()).toMatch(
      /Connection to db\.test \(127\.0\.0\.1\) 8001 port \[tcp\/[^\]]+\] succeeded!\n$/,
    );
  });
});
