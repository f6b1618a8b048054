// -v -6 -l without -n: the name in "Connection received on" for an IPv4 client on a dual-stack
// listener (::ffff:127.0.0.1) and for an IPv6 one, next to nc.openbsd's, in a namespace whose
// /etc/hosts and DNS the test owns.
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { killAll, type Proc } from '../helpers/cli.js';
import { canUseRoot, Netns, ROOT_NOTE } from '../helpers/netns.js';
import { itWithPeer } from '../helpers/peers.js';

afterEach(killAll);

const NXDOMAIN_DNS = fileURLToPath(new URL('../e2e/fixtures/nxdomain-dns.py', import.meta.url));

describe.skipIf(!canUseRoot)(`-v -6 -l: the client's name, as nc.openbsd gives it${ROOT_NOTE}`, () => {
  const ns = new Netns('names6');
  beforeAll(async () => {
    ns.create();
    // localhost is 127.0.0.1 and ::1 in /etc/hosts; the DNS answers every PTR query NXDOMAIN.
    ns.localResolver(1);
    ns.etc('hosts', '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
    await ns.helper('python3', [NXDOMAIN_DNS]);
  });
  afterAll(async () => {
    await ns.remove();
  });

  /** Connect once from `from` to the listener, and return its "Connection received on" name. */
  const received = async (listener: Proc, from: string, port: number): Promise<string> => {
    const client = ns.start('python3', [
      '-c',
      `import socket; s = socket.create_connection(("${from}", ${port}), timeout=5); s.close()`,
    ]);
    expect(await client.exited()).toBe(0);
    const [, name] = await listener.stderrLine(/Connection received on (\S+) \d+\n/);
    await listener.exited();
    return name ?? '';
  };

  const nameFrom = async (peer: 'nc' | 'tsnc', from: string, port: number): Promise<string> => {
    const listener =
      peer === 'nc'
        ? ns.start('nc.openbsd', ['-v', '-6', '-l', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
        : ns.tsnc(['-v', '-6', '-l', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    await listener.stderrLine(/Listening on /);
    return received(listener, from, port);
  };

  itWithPeer('nc.openbsd')('an IPv4 client: ::ffff:127.0.0.1 (not localhost), as nc.openbsd', async () => {
    const theirs = await nameFrom('nc', '127.0.0.1', 8021);
    const ours = await nameFrom('tsnc', '127.0.0.1', 8022);
    expect(theirs).toBe('::ffff:127.0.0.1');
    expect(ours).toBe(theirs);
  });

  itWithPeer('nc.openbsd')('a line for the mapped address itself names it, as nc.openbsd', async () => {
    // The same file (inode) `ip netns exec` bind-mounts over /etc/hosts.
    ns.etc('hosts', '::ffff:127.0.0.1 mapped.test\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
    try {
      const theirs = await nameFrom('nc', '127.0.0.1', 8025);
      const ours = await nameFrom('tsnc', '127.0.0.1', 8026);
      expect(theirs).toBe('mapped.test');
      expect(ours).toBe(theirs);
    } finally {
      ns.etc('hosts', '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
    }
  });

  itWithPeer('nc.openbsd')('an IPv6 client: its /etc/hosts name, as nc.openbsd', async () => {
    const theirs = await nameFrom('nc', '::1', 8023);
    const ours = await nameFrom('tsnc', '::1', 8024);
    expect(theirs).toBe('localhost');
    expect(ours).toBe(theirs);
  });
});
