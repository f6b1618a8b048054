// What --wait says: the deadline always with its unit, a line for every address -v tried (as a
// plain connect gives), and a reason for a target it cannot use.
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, tsnc } from '../helpers/cli.js';
import { canUseRoot, Netns, ROOT_NOTE } from '../helpers/netns.js';
import { freePort } from '../helpers/peer.js';

afterEach(killAll);

const NXDOMAIN_DNS = fileURLToPath(new URL('fixtures/nxdomain-dns.py', import.meta.url));

describe('--wait: the final line and bad targets', () => {
  it.each([['1'], ['1s'], ['1000ms']])(
    '--timeout %s: the line says the deadline with a unit',
    async (timeout) => {
      const port = await freePort();
      const proc = tsnc(['--wait', '--timeout', timeout, '127.0.0.1', String(port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(await proc.exited()).toBe(1);
      const shown = timeout === '1' ? '1s' : timeout;
      expect(proc.stderr()).toBe(
        `tsnc: wait for 127.0.0.1 port ${port} (tcp) timed out after ${shown}: Connection refused\n`,
      );
    },
  );

  it.each([[':80'], ['tcp://:80']])(
    'a target without a host (%s): one line that says so, exit 1',
    async (target) => {
      const proc = tsnc(['--wait', target], { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(await proc.exited()).toBe(1);
      expect(proc.stderr()).toBe(`tsnc: missing host name in target: ${target}\n`);
    },
  );
});

describe.skipIf(!canUseRoot)(`--wait -v: every address of a name${ROOT_NOTE}`, () => {
  const ns = new Netns('waitv');
  beforeAll(async () => {
    ns.create();
    // both.test has an IPv6 and an IPv4 address, as localhost often does; nothing leaves the namespace.
    ns.localResolver(1);
    ns.etc('hosts', '127.0.0.1 localhost\n::1 both.test\n127.0.0.1 both.test\n');
    await ns.helper('python3', [NXDOMAIN_DNS]);
  });
  afterAll(async () => {
    await ns.remove();
  });

  /** The -v lines of a plain connect to both.test PORT, for comparison. */
  const plainConnect = async (port: number): Promise<string> => {
    const proc = ns.tsnc(['-v', '-q', '0', 'both.test', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    await proc.exited();
    return proc.stderr();
  };

  it('nothing listens: one attempt reports both addresses, as a plain connect does', async () => {
    const port = 8011;
    const proc = ns.tsnc(['--wait', '-v', '--timeout', '1s', '--interval', '5s', 'both.test', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await proc.exited()).toBe(1);
    const plain = await plainConnect(port);
    expect(plain.split('\n').filter((line) => line.includes('failed'))).toHaveLength(2);
    expect(proc.stderr()).toBe(
      `${plain}tsnc: wait for both.test port ${port} (tcp) timed out after 1s: Connection refused\n`,
    );
  });

  it('only the IPv4 address listens: the IPv6 failure, then the success, as a plain connect', async () => {
    const port = 8012;
    const server = ns.tsnc(['-l', '-k', '-v', '-n', '-s', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await server.stderrLine(/Listening on /);
    const proc = ns.tsnc(['--wait', '-v', '--timeout', '10s', 'both.test', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await proc.exited()).toBe(0);
    const plain = await plainConnect(port);
    expect(plain).toMatch(
      /^tsnc: connect to both\.test \(::1\) port 8012 \(tcp\) failed: Connection refused\n/,
    );
    expect(proc.stderr()).toBe(plain);
    server.kill();
  });
});
