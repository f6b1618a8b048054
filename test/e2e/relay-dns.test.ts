// --relay to a name that does not resolve yet (containers start in any order): no exit at
// start-up; each client is refused with the lookup's reason, and once the name resolves the next
// client is relayed. In a network namespace whose DNS is a fixture answering NXDOMAIN and whose
// /etc/hosts the test rewrites.
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, waitFor } from '../helpers/cli.js';
import { canUseRoot, Netns, ROOT_NOTE } from '../helpers/netns.js';
import { RELAY_PEER, stdoutMatch } from '../helpers/relay.js';

afterEach(killAll);

describe.skipIf(!canUseRoot)(`--relay to a name that resolves later${ROOT_NOTE}`, () => {
  const ns = new Netns('relaydns');
  beforeAll(async () => {
    ns.create();
    ns.localResolver(1);
    ns.etc('hosts', '127.0.0.1 localhost\n');
    await ns.helper('python3', [fileURLToPath(new URL('fixtures/nxdomain-dns.py', import.meta.url))]);
  });
  afterAll(() => ns.remove());

  it('looked up again for every client: refused while NXDOMAIN, relayed once /etc/hosts has it', async () => {
    const backend = ns.start('python3', [RELAY_PEER, 'echo']);
    const backendPort = Number((await stdoutMatch(backend, /^port (\d+)$/m))[1]);
    const relay = ns.tsnc(['-l', '-k', '-v', '-p', '8101', '--relay', `backend-db:${backendPort}`]);
    await relay.stderrLine(/^Listening on \S+ 8101$/m);
    const failed = new RegExp(
      `^tsnc: relay to backend-db port ${backendPort} \\(tcp\\) failed: Name or service not known$`,
      'gm',
    );
    for (let i = 1; i <= 2; i += 1) {
      const client = ns.tsnc(['-N', '127.0.0.1', '8101']);
      client.write('early\n');
      client.endStdin();
      await client.exited(20_000);
      expect(client.stdout().toString()).toBe('');
      await waitFor(() => (relay.stderr().match(failed) ?? []).length === i, `refusal ${i}`);
    }
    expect(relay.child.exitCode).toBeNull();
    // The backend's name appears (a container came up): the next client goes through.
    ns.etc('hosts', '127.0.0.1 localhost\n127.0.0.1 backend-db\n');
    const client = ns.tsnc(['-N', '127.0.0.1', '8101']);
    client.write('late\n');
    client.endStdin();
    expect(await client.exited(20_000)).toBe(0);
    expect(client.stdout().toString()).toBe('late\n');
    expect(relay.stderr()).toMatch(/^Relay to backend-db \(127\.0\.0\.1\) port \d+ \(tcp\) connected$/m);
  }, 60_000);
});
