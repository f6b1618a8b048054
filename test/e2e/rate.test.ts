// --rate RATE: what stdin sends is paced to at most RATE bytes a second. The pace is checked on
// the byte count and the time the process itself reports (--progress), and only as a lower
// bound on the time (a loaded machine only makes a transfer slower, never faster).
import { openSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/io/rate.js';
import { CLI, killAll, listener, start, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerServer } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';
import { udpPeer } from '../helpers/udp.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

/** --progress's summary line: bytes sent, the limit shown, and the seconds it took. */
const progressOf = (proc: Proc): { bytes: number; limit: string; seconds: number } => {
  const match =
    /^tsnc: (\d+) bytes sent \([^,]+, limit ([^)]+)\), \d+ bytes received \([^)]*\) in ([\d.]+) s$/m.exec(
      proc.stderr(),
    );
  expect(match, proc.stderr()).not.toBeNull();
  return { bytes: Number(match?.[1]), limit: match?.[2] ?? '', seconds: Number(match?.[3]) };
};

describe('--rate', () => {
  it('a file at 100K: every byte arrives, and the sender took at least 0.8 x bytes/rate by its own --progress', async () => {
    const payload = randomPayload(300_000);
    const path = files.file('rate-file.bin', payload);
    const { proc: receiver, port } = await listener([]);
    const sender = tsnc(['--rate', '100K', '--progress', '127.0.0.1', String(port)], {
      stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    });
    expect(await sender.exited(30_000)).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
    const { bytes, limit, seconds } = progressOf(sender);
    expect(bytes).toBe(payload.length);
    expect(limit).toBe('100.0 KiB/s');
    expect(seconds).toBeGreaterThanOrEqual((0.8 * bytes) / (100 * 1024));
  });

  it('a listener sending from a pipe at 64K (1 MiB writes into the pipe): paced the same, nothing lost', async () => {
    const payload = randomPayload(200_000);
    const { proc: sender, port } = await listener(['--rate', '64k', '--progress']);
    const receiver = tsnc(['-d', '127.0.0.1', String(port)]);
    sender.write(payload);
    sender.endStdin();
    expect(await sender.exited(30_000)).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
    const { bytes, limit, seconds } = progressOf(sender);
    expect(bytes).toBe(payload.length);
    expect(limit).toBe('64.0 KiB/s');
    expect(seconds).toBeGreaterThanOrEqual((0.8 * bytes) / (64 * 1024));
  });

  it('without --rate the same transfer is not paced (the bound above is --rate’s doing)', async () => {
    const payload = randomPayload(300_000);
    const path = files.file('unpaced.bin', payload);
    const { proc: receiver, port } = await listener([]);
    const sender = tsnc(['--progress', '127.0.0.1', String(port)], {
      stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    });
    expect(await sender.exited(30_000)).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sender.stderr()).not.toContain('limit');
  });

  it('-u: a datagram is never cut to fit the rate (8000 bytes at 4K go as one datagram)', async () => {
    const peer = await udpPeer();
    const payload = randomPayload(8000);
    const path = files.file('datagram.bin', payload);
    const sender = tsnc(['-u', '--rate', '4K', '127.0.0.1', String(peer.port)], {
      stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    });
    await peer.receivedAtLeast(1);
    expect(peer.datagrams().map((d) => d.data.length)).toEqual([8000]);
    expect(sha256(peer.datagrams()[0]?.data ?? Buffer.alloc(0))).toBe(sha256(payload));
    sender.kill();
    await sender.exited();
    peer.close();
  });
});

describe('--rate with --progress on a terminal', () => {
  itWithPeer('script')(
    'the live line shows the measured rate and the limit while it runs, then the summary shows both',
    async () => {
      const payload = randomPayload(256 * 1024);
      const path = files.file('rate-live.bin', payload);
      const peer = await peerServer();
      try {
        // script(1) gives tsnc a pty for stdout and stderr: the live line is drawn (stdin is the file).
        const shell = `exec "${process.execPath}" "${CLI}" --rate 64K --progress 127.0.0.1 ${peer.port} < "${path}"`;
        const term = start('script', ['-qfec', shell, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
        const conn = await peer.accepted();
        // About 4 s at 64K: the line is redrawn while the transfer is under way.
        await waitFor(
          () =>
            /\rtsnc: sent [\d.]+ \S+ of 256\.0 KiB \(\d+%, ETA [\d:?]+\), [\d.]+ \S+\/s, limit 64\.0 KiB\/s; received 0 B, 0 B\/s/.test(
              term.stdout().toString(),
            ),
          'the live --progress line with the limit',
          20_000,
        );
        await conn.fin;
        conn.socket.end();
        expect(await term.exited(30_000)).toBe(0);
        expect(sha256(conn.received())).toBe(sha256(payload));
        expect(term.stdout().toString()).toMatch(
          /tsnc: 262144 bytes sent \([\d.]+ \S+\/s, limit 64\.0 KiB\/s\), 0 bytes received \(0 B\/s\) in [\d.]+ s\r?\n$/,
        );
      } finally {
        peer.close();
      }
    },
    40_000,
  );
});

describe('TokenBucket', () => {
  it('starts with the burst, refills at the rate, never above the burst', () => {
    const bucket = new TokenBucket(1000, 100, 0);
    expect(bucket.available(0)).toBe(100);
    bucket.take(100, 0);
    expect(bucket.available(0)).toBe(0);
    expect(bucket.available(50)).toBe(50);
    expect(bucket.available(10_000)).toBe(100);
  });
  it('a take beyond the level is a debt: the wait is the time to pay it back', () => {
    const bucket = new TokenBucket(1000, 100, 0);
    bucket.take(600, 0);
    expect(bucket.available(0)).toBe(0);
    expect(bucket.waitMs(1, 0)).toBeCloseTo(501, 5);
    expect(bucket.waitMs(1, 501)).toBe(0);
  });
});
