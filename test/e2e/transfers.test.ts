// Acceptance: a 32 MiB random file goes either way between two tsnc processes and both end by
// themselves with no extra flags, whatever the other side's stdin is (rule 7: binary-safe).
import { openSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';

const files = scratch();
const payload = randomPayload(32 << 20);
const input = files.file('payload.bin', payload);
afterEach(killAll);
afterAll(() => files.remove());

/** The receiving side's stdin: /dev/null, or a pipe that stays open and never writes. */
const otherStdin = { 'dev-null': 'ignore', 'open-pipe': 'pipe' } as const;

describe.each(Object.entries(otherStdin))('32 MiB, the other side stdin %s', (_name, receiverStdin) => {
  it('push: listener receives (tsnc -l > out / tsnc HOST PORT < file)', async () => {
    const { proc: server, port } = await listener([], { stdio: [receiverStdin, 'pipe', 'pipe'] });
    const client = tsnc(['127.0.0.1', String(port)], { stdio: [openSync(input, 'r'), 'pipe', 'pipe'] });
    expect(await client.exited(60_000)).toBe(0);
    expect(await server.exited(60_000)).toBe(0);
    expect(sha256(server.stdout())).toBe(sha256(payload));
    expect(server.stderr()).toMatch(
      /^Listening on 0\.0\.0\.0 \d+\nConnection received on 127\.0\.0\.1 \d+\n$/,
    );
    expect(client.stderr()).toBe('');
  }, 90_000);

  it('pull: listener sends (tsnc -l < file / tsnc HOST PORT > out)', async () => {
    const { proc: server, port } = await listener([], { stdio: [openSync(input, 'r'), 'pipe', 'pipe'] });
    const client = tsnc(['127.0.0.1', String(port)], { stdio: [receiverStdin, 'pipe', 'pipe'] });
    expect(await client.exited(60_000)).toBe(0);
    expect(await server.exited(60_000)).toBe(0);
    expect(sha256(client.stdout())).toBe(sha256(payload));
  }, 90_000);
});

describe('from a pipe', () => {
  it('push from a pipe that ends: the listener gets every byte', async () => {
    const { proc: server, port } = await listener([], { stdio: ['ignore', 'pipe', 'pipe'] });
    const client = tsnc(['127.0.0.1', String(port)]);
    client.child.stdin?.end(payload);
    expect(await client.exited(60_000)).toBe(0);
    expect(await server.exited(60_000)).toBe(0);
    expect(sha256(server.stdout())).toBe(sha256(payload));
  }, 90_000);
});
