// -l --serve: a client that never reads costs what the kernel queues for it plus one small
// buffer. 50 such clients on a 64 MiB file must not raise tsnc's peak RSS by more than 64 MiB
// over serving one client alone (they cost about 2.2 MiB each when every client had a 1 MiB read
// stream with its read-ahead and a queued 1 MiB write).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch } from '../helpers/data.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const SIZE = 64 * 1024 * 1024;
const STALLED = 50;
const path = files.file('payload.bin', randomPayload(SIZE));
const expected = createHash('sha256').update(readFileSync(path)).digest('hex');

/** Peak resident memory of a process, in KiB (VmHWM). */
const peakKiB = (pid: number): number => {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmHWM for ${pid}`);
  return Number(match[1]);
};

/** Connect, read everything to the EOF; resolves to its length and sha256. */
const readAll = (port: number): Promise<{ bytes: number; sha: string }> =>
  new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const hash = createHash('sha256');
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    socket.on('error', reject);
    socket.on('end', () => {
      socket.end();
      resolve({ bytes, sha: hash.digest('hex') });
    });
  });

/** The Send-Q of every established connection tsnc has on port (ss, from the kernel). */
const sendQueues = (port: number): number[] =>
  execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => Number(line.trim().split(/\s+/)[1]));

describe('-l --serve, clients that never read', () => {
  it(`${STALLED} of them on a 64 MiB file: peak RSS at most 64 MiB above one client's, the reader gets it all`, async () => {
    const proc = tsnc(['-l', '-v', '-n', '-p', '0', '--serve', path, '--count', String(STALLED + 2)]);
    const port = Number((await proc.stderrLine(/Listening on \S+ (\d+)\n/))[1]);
    const pid = proc.child.pid ?? 0;
    expect(await readAll(port)).toEqual({ bytes: SIZE, sha: expected });
    const alone = peakKiB(pid);

    const stalled: Socket[] = Array.from({ length: STALLED }, () => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.pause();
      socket.on('error', () => undefined);
      return socket;
    });
    // Stalled: every connection has bytes queued in the kernel and no more move (three polls).
    let last = '';
    let same = 0;
    await waitFor(
      () => {
        const queues = sendQueues(port);
        const now = queues.join(',');
        same = queues.length === STALLED && queues.every((q) => q > 0) && now === last ? same + 1 : 0;
        last = now;
        return same >= 3;
      },
      `${STALLED} stalled connections`,
      30_000,
    );
    expect(await readAll(port)).toEqual({ bytes: SIZE, sha: expected });
    const crowded = peakKiB(pid);
    // A bound, not a figure: the figures are the bench's (bench/run.sh, scenario serve).
    expect(
      crowded - alone,
      `peak ${alone} KiB alone, ${crowded} KiB with ${STALLED} stalled`,
    ).toBeLessThanOrEqual(64 * 1024);

    for (const socket of stalled) socket.destroy();
    expect(await proc.exited(30_000)).toBe(0);
  }, 90_000);
});
