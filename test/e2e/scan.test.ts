// -z: ports, ranges (either order), lists, -r, -v lines, exit status, UDP probes, and the
// concurrency that keeps a scan of a host that drops packets to seconds.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, tsnc } from '../helpers/cli.js';
import { itAsRoot, Netns } from '../helpers/netns.js';
import { closedUdpPort, udpPeer } from '../helpers/udp.js';

afterEach(killAll);

/** A block of consecutive ports on 127.0.0.1, some listening: open[i] says whether base+i is. */
const servers: Server[] = [];
let base = 0;
const open = [false, true, false, true, false];

const listenOn = (port: number): Promise<Server | undefined> =>
  new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

beforeAll(async () => {
  // Find five consecutive free ports and listen on the "open" ones (bounded tries).
  for (let attempt = 0; attempt < 50 && base === 0; attempt += 1) {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const start = (probe.address() as AddressInfo).port;
    probe.close();
    if (start + open.length > 65535) continue;
    const taken: Server[] = [];
    let ok = true;
    for (let i = 0; i < open.length && ok; i += 1) {
      const server = await listenOn(start + i);
      if (server === undefined) ok = false;
      else taken.push(server);
    }
    for (const [i, server] of taken.entries()) {
      if (ok && open[i]) servers.push(server);
      else server.close();
    }
    if (ok) base = start;
  }
  if (base === 0) throw new Error('no five consecutive free ports');
});
afterAll(() => {
  for (const server of servers) server.close();
});

const run = async (args: string[]): Promise<{ status: number; stderr: string; stdout: string }> => {
  const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const status = await proc.exited();
  return { status, stderr: proc.stderr(), stdout: proc.stdout().toString() };
};

const lineFor = (port: number): string =>
  open[port - base]
    ? `Connection to 127.0.0.1 ${port} port [tcp/*] succeeded!\n`
    : `tsnc: connect to 127.0.0.1 port ${port} (tcp) failed: Connection refused\n`;

describe('-z over TCP', () => {
  it('a range is scanned in ascending order, either way round; -v says what each port did', async () => {
    const ports = open.map((_, i) => base + i);
    const expected = ports.map(lineFor).join('');
    for (const range of [`${base}-${base + 4}`, `${base + 4}-${base}`]) {
      const { status, stderr, stdout } = await run(['-zvn', '127.0.0.1', range]);
      expect(status).toBe(0);
      expect(stderr).toBe(expected);
      expect(stdout).toBe('');
    }
  });

  it('a list is scanned in the given order', async () => {
    const ports = [base + 4, base + 1, base, base + 3];
    const { status, stderr } = await run(['-zvn', '127.0.0.1', ...ports.map(String)]);
    expect(status).toBe(0);
    expect(stderr).toBe(ports.map(lineFor).join(''));
  });

  it('without -v: silent; exit 0 if any port is open, 1 if none is', async () => {
    expect(await run(['-zn', '127.0.0.1', String(base + 1)])).toEqual({ status: 0, stderr: '', stdout: '' });
    expect(await run(['-zn', '127.0.0.1', String(base), String(base + 2)])).toEqual({
      status: 1,
      stderr: '',
      stdout: '',
    });
    expect((await run(['-zn', '127.0.0.1', `${base}-${base + 2}`])).status).toBe(0);
  });

  it('-r tries the ports of a range in random order (all of them, once each)', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8 && seen.size < 2; i += 1) {
      const { status, stderr } = await run(['-zvnr', '127.0.0.1', `${base}-${base + 4}`]);
      expect(status).toBe(0);
      const ports = [...stderr.matchAll(/ (\d+) port| port (\d+) /g)].map((m) => Number(m[1] ?? m[2]));
      expect([...ports].sort((a, b) => a - b)).toEqual(open.map((_, k) => base + k));
      seen.add(ports.join(','));
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('-z -l is an error', async () => {
    expect(await run(['-z', '-l', '-p', '1'])).toEqual({
      status: 1,
      stderr: 'tsnc: cannot use -z and -l\n',
      stdout: '',
    });
  });
});

describe('-z over UDP', () => {
  it('an open port succeeds after the wait, a closed one fails silently, even with -v', async () => {
    const peer = await udpPeer();
    const closed = await closedUdpPort();
    const { status, stderr } = await run([
      '-zvun',
      '-w',
      '1',
      '127.0.0.1',
      String(closed),
      String(peer.port),
    ]);
    expect(status).toBe(0);
    expect(stderr).toBe(`Connection to 127.0.0.1 ${peer.port} port [udp/*] succeeded!\n`);
    expect((await run(['-zvun', '-w', '1', '127.0.0.1', String(closed)])).stderr).toBe('');
    expect((await run(['-zun', '-w', '1', '127.0.0.1', String(closed)])).status).toBe(1);
    // The probe datagrams are OB's: "X".
    expect(peer.datagrams().every((d) => d.data.toString() === 'X')).toBe(true);
    peer.close();
  });

  it('a port that answers is open at once, without waiting out -w', async () => {
    const peer = await udpPeer();
    peer.socket.on('message', (_data, from) => peer.socket.send('pong', from.port, from.address));
    const started = Date.now();
    const { status } = await run(['-zun', '-w', '20', '127.0.0.1', String(peer.port)]);
    expect(status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    peer.close();
  });
});

// A host that drops packets: a namespace of the test's own where iptables drops TCP to ports
// 1-256 on its loopback. Serially, -w 1 over 256 ports takes over four minutes.
itAsRoot(
  'probes run concurrently, 64 at once: 256 dropped ports with -w 1 take seconds',
  async () => {
    const ns = new Netns('scan').create();
    try {
      ns.exec('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '1:256', '-j', 'DROP');
      const started = Date.now();
      const proc = ns.tsnc(['-zv', '-n', '-w', '1', '127.0.0.1', '1-256']);
      expect(await proc.exited(60_000)).toBe(1);
      const elapsed = Date.now() - started;
      const lines = proc.stderr().trimEnd().split('\n');
      expect(lines).toHaveLength(256);
      expect(lines[0]).toBe('tsnc: connect to 127.0.0.1 port 1 (tcp) timed out: Operation now in progress');
      expect(lines[255]).toBe(
        'tsnc: connect to 127.0.0.1 port 256 (tcp) timed out: Operation now in progress',
      );
      // 256 / 64 = 4 rounds of 1 s: not less (the bound holds), and far from 256 s.
      expect(elapsed).toBeGreaterThanOrEqual(3900);
      expect(elapsed).toBeLessThan(30_000);
    } finally {
      await ns.remove();
    }
  },
  90_000,
);
