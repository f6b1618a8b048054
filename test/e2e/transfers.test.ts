// Acceptance: a 32 MiB random file goes either way between two tsnc processes and both end by
// themselves with no extra flags, whatever the other side's stdin is (rule 7: binary-safe).
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, listener, start, tsnc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';

const PIPE_FEEDER = fileURLToPath(new URL('fixtures/pipe-feeder.py', import.meta.url));
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

  it('stdin a real pipe (as from `cat file |`): widened to 1 MiB, every byte arrives', async () => {
    const { proc: server, port } = await listener([], { stdio: ['ignore', 'pipe', 'pipe'] });
    const feeder = start('python3', [PIPE_FEEDER, input, process.execPath, CLI, '127.0.0.1', String(port)]);
    expect(await feeder.exited(60_000)).toBe(0);
    expect(feeder.stdout().toString()).toBe(`65536 ${1 << 20}\nexit 0\n`);
    expect(await server.exited(60_000)).toBe(0);
    expect(sha256(server.stdout())).toBe(sha256(payload));
  }, 90_000);
});
