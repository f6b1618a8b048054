// A listener whose -v reverse lookups are slow (a DNS that never answers, as in some containers)
// must serve a client that connects meanwhile, and print its lines in order.
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, waitFor } from '../helpers/cli.js';
import { canUseRoot, Netns, ROOT_NOTE } from '../helpers/netns.js';

afterEach(killAll);

describe.skipIf(!canUseRoot)(`slow reverse DNS${ROOT_NOTE}`, () => {
  const ns = new Netns('slowdns');
  beforeAll(async () => {
    ns.create();
    // 127.0.0.2 has no /etc/hosts entry, so the reverse lookup for `Listening on` asks the
    // silent DNS and waits.
    ns.localResolver(3);
    await ns.helper('python3', [fileURLToPath(new URL('fixtures/silent-dns.py', import.meta.url))]);
  });
  afterAll(() => ns.remove());

  it('a client that connects during the lookup is served; lines stay in order', async () => {
    const listener = ns.tsnc(['-l', '-v', '-s', '127.0.0.2', '-p', '8001']);
    // Connect as soon as the socket is bound, long before the reverse lookup gives up.
    await waitFor(() => ns.exec('ss', '-ltnH', 'sport = :8001').trim() !== '', 'the listening socket');
    const client = ns.tsnc(['127.0.0.2', '8001']);
    client.write('hi\n');
    client.endStdin();
    expect(await client.exited(20_000)).toBe(0);
    expect(await listener.exited(20_000)).toBe(0);
    expect(listener.stdout().toString()).toBe('hi\n');
    expect(listener.stderr()).toMatch(/^Listening on 127\.0\.0\.2 8001\nConnection received on \S+ \d+\n$/);
  }, 40_000);

  it('--json asks the DNS nothing (its events are numeric): no query is queued at the server', async () => {
    // The silent server never reads: every query tsnc sends stays in its socket's receive queue.
    const queued = (): number => Number(ns.exec('ss', '-unlH', 'sport = :53').trim().split(/\s+/)[1]);
    const before = queued();
    const listener = ns.tsnc(['--json', '-l', '-s', '127.0.0.2', '-p', '8002']);
    await listener.stderrLine(/"event":"listening"/);
    const client = ns.tsnc(['127.0.0.2', '8002']);
    client.write('hi\n');
    client.endStdin();
    expect(await client.exited(20_000)).toBe(0);
    expect(await listener.exited(20_000)).toBe(0);
    expect(listener.stderr()).toMatch(/"event":"accepted"/);
    expect(queued()).toBe(before);
    // What it guards: -v does ask (the PTR query for `Listening on`).
    const verbose = ns.tsnc(['-l', '-v', '-s', '127.0.0.2', '-p', '8003']);
    await waitFor(() => queued() > before, 'the -v reverse lookup at the DNS');
    verbose.kill();
  }, 40_000);
});
