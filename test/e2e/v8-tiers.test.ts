// src/v8-tiers.ts: once a session starts, V8 runs without TurboFan (its first compilation, a
// moment into a long transfer, was the step in peak RSS; bench/PROFILE.md §8). Seen from outside
// with --trace-opt, which prints a line per function TurboFan optimizes. 1 GiB from a real pipe
// is long enough for TurboFan to start without the flag (21 functions, measured), so this fails
// when the flag is lost.
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, listener, start } from '../helpers/cli.js';

afterEach(killAll);

describe('V8 tiers', () => {
  it('1 GiB from a pipe: no function is optimized by TurboFan', async () => {
    const { proc: server, port } = await listener([], { stdio: ['ignore', 'ignore', 'pipe'] });
    // The sender's stdout carries only what --trace-opt prints (the listener sends nothing).
    const sender = start('sh', [
      '-c',
      `head -c 1073741824 /dev/zero | "${process.execPath}" --trace-opt "${CLI}" -N 127.0.0.1 ${port}; echo "exit $?"`,
    ]);
    expect(await sender.exited(120_000)).toBe(0);
    expect(await server.exited(120_000)).toBe(0);
    const trace = sender.stdout().toString('latin1');
    expect(trace.endsWith('exit 0\n')).toBe(true);
    expect(trace.match(/completed optimizing/g) ?? []).toEqual([]);
  }, 180_000);
});
