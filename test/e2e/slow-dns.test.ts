// A listener whose -v reverse lookups are slow (a DNS that never answers, as in some containers)
// must serve a client that connects meanwhile, and print its lines in order.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, killAll, start, waitFor } from '../helpers/cli.js';

afterEach(killAll);

const isRoot = process.getuid?.() === 0;
const inCI = process.env['CI'] === 'true';

describe.skipIf(!isRoot && !inCI)(
  `slow reverse DNS${isRoot || inCI ? '' : ' [skipped: needs root for ip netns]'}`,
  () => {
    const ns = `tsnc-slowdns-${process.pid}`;
    const etcDir = `/etc/netns/${ns}`;
    let dns: ChildProcess | undefined;
    const inNs = (...args: string[]) => start('ip', ['netns', 'exec', ns, ...args]);

    beforeAll(async () => {
      execFileSync('ip', ['netns', 'add', ns]);
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      // 127.0.0.2 has no /etc/hosts entry, so the reverse lookup for `Listening on` asks the
      // silent DNS and waits.
      mkdirSync(etcDir, { recursive: true });
      writeFileSync(`${etcDir}/resolv.conf`, 'nameserver 127.0.0.1\noptions attempts:1 timeout:3\n');
      const script = fileURLToPath(new URL('fixtures/silent-dns.py', import.meta.url));
      dns = spawn('ip', ['netns', 'exec', ns, 'python3', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('silent DNS did not start')), 10_000);
        dns?.stdout?.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    });
    afterAll(() => {
      dns?.kill('SIGKILL');
      execFileSync('ip', ['netns', 'del', ns]);
      rmSync(etcDir, { recursive: true, force: true });
    });

    it('a client that connects during the lookup is served; lines stay in order', async () => {
      const listener = inNs(process.execPath, CLI, '-l', '-v', '-s', '127.0.0.2', '-p', '8001');
      // Connect as soon as the socket is bound, long before the reverse lookup gives up.
      await waitFor(() => {
        const out = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-ltnH', 'sport = :8001'], {
          encoding: 'utf8',
        });
        return out.trim() !== '';
      }, 'the listening socket');
      const client = inNs(process.execPath, CLI, '127.0.0.2', '8001');
      client.write('hi\n');
      client.endStdin();
      expect(await client.exited(20_000)).toBe(0);
      expect(await listener.exited(20_000)).toBe(0);
      expect(listener.stdout().toString()).toBe('hi\n');
      expect(listener.stderr()).toMatch(/^Listening on 127\.0\.0\.2 8001\nConnection received on \S+ \d+\n$/);
    }, 40_000);
  },
);
