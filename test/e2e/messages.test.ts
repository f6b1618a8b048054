// Every message of the core and its exit code, as nc.openbsd words them (section 5 of the
// research), and never a stack trace.
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, killAll, start, tsnc } from '../helpers/cli.js';
import { canUseRoot, Netns, ROOT_NOTE } from '../helpers/netns.js';
import { systemServices } from '../../src/net/services.js';
import { VERSION } from '../../src/version.js';

afterEach(killAll);

const USAGE = /^usage: tsnc \[-46[^\n]*\n(\t {2}\[[^\n]*\n)*\t {2}\[destination\] \[port\]\n$/;

let open: Server;
let openPort = 0;
let closedPort = 0;
beforeAll(async () => {
  open = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
  await once(open, 'listening');
  openPort = (open.address() as AddressInfo).port;
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  closedPort = (probe.address() as AddressInfo).port;
  probe.close();
});
afterAll(() => open.close());

const run = async (args: string[]): Promise<{ status: number; stderr: string; stdout: string }> => {
  const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const status = await proc.exited();
  return { status, stderr: proc.stderr(), stdout: proc.stdout().toString() };
};

describe('command-line errors: one line (plus usage where getopt gives it), exit 1', () => {
  it.each([
    [['-Y'], /^tsnc: invalid option -- 'Y'\n/, true],
    [['-lvY', '-p', '1'], /^tsnc: invalid option -- 'Y'\n/, true],
    [['-l', '-p'], /^tsnc: option requires an argument -- 'p'\n/, true],
    [['--bogus'], /^tsnc: unrecognized option '--bogus'\n/, true],
    [['--no-shutdown=yes', 'h', '1'], /^tsnc: option '--no-shutdown' doesn't allow an argument\n/, true],
    [['host'], /^tsnc: missing port number\n$/, false],
    [['-l'], /^tsnc: missing port number\n$/, false],
    [['host', '0'], /^tsnc: port number too small: 0\n$/, false],
    [['host', '65536'], /^tsnc: port number too large: 65536\n$/, false],
    [['host', 'abc'], /^tsnc: port number invalid: abc\n$/, false],
    [['host', '+80'], /^tsnc: port number invalid: \+80\n$/, false],
    [['host', ' 80'], /^tsnc: port number invalid: {2}80\n$/, false],
    [['host', '10-'], /^tsnc: port range not valid: 10-\n$/, false],
    [['-l', '-p', '65536'], /^tsnc: port number too large: 65536\n$/, false],
    [['-l', '-p', 'abc'], /^tsnc: port number invalid: abc\n$/, false],
    [['-w', 'abc', 'host', '1'], /^tsnc: timeout invalid: abc\n$/, false],
    [['-w', '99999999', 'host', '1'], /^tsnc: timeout too large: 99999999\n$/, false],
    [['-w', '-1', 'host', '1'], /^tsnc: timeout too small: -1\n$/, false],
    [['-q', 'abc', 'host', '1'], /^tsnc: quit timer invalid: abc\n$/, false],
    [['-k', 'host', '1'], /^tsnc: must use -l with -k\n$/, false],
    [['-l', '127.0.0.1', '1', '2'], /^tsnc: too many arguments\n/, true],
    [['-N', '--no-shutdown', 'host', '1'], /^tsnc: cannot use -N and --no-shutdown together\n$/, false],
  ])('%j', async (args, message, withUsage) => {
    const { status, stderr, stdout } = await run(args);
    expect(status).toBe(1);
    expect(stderr).toMatch(message);
    const rest = stderr.replace(message, '');
    if (withUsage) expect(rest).toMatch(USAGE);
    else expect(rest).toBe('');
    expect(stdout).toBe('');
  });

  it('no arguments: the usage alone, exit 1', async () => {
    const { status, stderr } = await run([]);
    expect(status).toBe(1);
    expect(stderr).toMatch(USAGE);
  });
});

describe('-h and --version', () => {
  it('-h prints the help on stdout and exits 0', async () => {
    const { status, stdout, stderr } = await run(['-h']);
    expect(status).toBe(0);
    expect(stdout).toContain('usage: tsnc [-46');
    expect(stdout).toContain('--no-shutdown');
    expect(stderr).toBe('');
  });

  it('--version prints the version', async () => {
    const { status, stdout } = await run(['--version']);
    expect(status).toBe(0);
    expect(stdout).toBe(`tsnc ${VERSION}\n`);
  });
});

describe('connect and resolve messages', () => {
  it('refused, with -v: the nc line, exit 1', async () => {
    const { status, stderr } = await run(['-v', '127.0.0.1', String(closedPort)]);
    expect(status).toBe(1);
    expect(stderr).toBe(`tsnc: connect to 127.0.0.1 port ${closedPort} (tcp) failed: Connection refused\n`);
  });

  it('refused, without -v: silent, exit 1', async () => {
    const { status, stderr } = await run(['127.0.0.1', String(closedPort)]);
    expect(status).toBe(1);
    expect(stderr).toBe('');
  });

  it('succeeded, with -v, numeric host', async () => {
    const { status, stderr } = await run(['-v', '127.0.0.1', String(openPort)]);
    expect(status).toBe(0);
    expect(stderr).toBe(`Connection to 127.0.0.1 ${openPort} port [tcp/*] succeeded!\n`);
  });

  it('succeeded, with -v, by name: the address in brackets', async () => {
    const { status, stderr } = await run(['-v', '-4', 'localhost', String(openPort)]);
    expect(status).toBe(0);
    expect(stderr).toBe(`Connection to localhost (127.0.0.1) ${openPort} port [tcp/*] succeeded!\n`);
  });

  it('a port listed in /etc/services is named, except with -n', async (context) => {
    // Find a named, unprivileged, free port to listen on.
    const services = systemServices();
    let server: Server | undefined;
    let port = 0;
    let name: string | undefined;
    for (let candidate = 1024; candidate < 49152 && server === undefined; candidate += 1) {
      name = services.nameOf(candidate, 'tcp');
      if (name === undefined) continue;
      const attempt = createServer((socket) => socket.destroy());
      const ok = await new Promise<boolean>((resolve) => {
        attempt.once('error', () => resolve(false));
        attempt.listen(candidate, '127.0.0.1', () => resolve(true));
      });
      if (ok) {
        server = attempt;
        port = candidate;
      }
    }
    if (server === undefined || name === undefined) {
      context.skip();
      return;
    }
    try {
      expect((await run(['-v', '127.0.0.1', String(port)])).stderr).toBe(
        `Connection to 127.0.0.1 ${port} port [tcp/${name}] succeeded!\n`,
      );
      expect((await run(['-v', '-n', '127.0.0.1', String(port)])).stderr).toBe(
        `Connection to 127.0.0.1 ${port} port [tcp/*] succeeded!\n`,
      );
      expect((await run(['-v', '127.0.0.1', name])).stderr).toBe(
        `Connection to 127.0.0.1 ${port} port [tcp/${name}] succeeded!\n`,
      );
    } finally {
      server.close();
    }
  });

  it.each([
    [['-n', 'localhost', '1'], 'tsnc: getaddrinfo for host "localhost" port 1: Name or service not known\n'],
    [
      ['-4', '::1', '1'],
      'tsnc: getaddrinfo for host "::1" port 1: Address family for hostname not supported\n',
    ],
    [
      ['-6', '127.0.0.1', '1'],
      'tsnc: getaddrinfo for host "127.0.0.1" port 1: Address family for hostname not supported\n',
    ],
  ])('resolve error %j: always printed, exit 1', async (args, line) => {
    const { status, stderr } = await run(args);
    expect(status).toBe(1);
    expect(stderr).toBe(line);
  });

  it('address already in use: the nc line, exit 1', async () => {
    const { status, stderr } = await run(['-l', '127.0.0.1', String(openPort)]);
    expect(status).toBe(1);
    expect(stderr).toBe('tsnc: Address already in use\n');
  });

  it('installed as nc, messages say nc:', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsnc-nc-'));
    try {
      symlinkSync(CLI, join(dir, 'nc'));
      const proc = start(process.execPath, [join(dir, 'nc'), 'host', '0']);
      expect(await proc.exited()).toBe(1);
      expect(proc.stderr()).toBe('nc: port number too small: 0\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!canUseRoot)(`a name that does not resolve${ROOT_NOTE}`, () => {
  const ns = new Netns('dns');
  beforeAll(async () => {
    ns.create();
    ns.localResolver(2);
    await ns.helper('python3', [fileURLToPath(new URL('fixtures/nxdomain-dns.py', import.meta.url))]);
  });
  afterAll(() => ns.remove());

  it('connect: the getaddrinfo line, always, exit 1', async () => {
    const proc = ns.tsnc(['nonexistent.invalid', '80']);
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe(
      'tsnc: getaddrinfo for host "nonexistent.invalid" port 80: Name or service not known\n',
    );
  });

  it('listen: the listen form of the line, exit 1', async () => {
    const proc = ns.tsnc(['-l', 'nonexistent.invalid', '8001']);
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe('tsnc: getaddrinfo: Name or service not known\n');
  });
});
