// --sha256 and --progress: counts and hashes on both ends of real transfers, the summary
// line when stderr is not a terminal, the live line when it is (under script(1), a real pty).
import { openSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerServer } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const EMPTY_SHA256 = sha256(Buffer.alloc(0));
const payload = randomPayload(2 * 1024 * 1024 + 5);
const path = files.file('payload.bin', payload);

describe('--sha256', () => {
  it('a file from client to listener: the sender’s sent line matches the receiver’s received line', async () => {
    const { proc: receiver, port } = await listener(['--sha256']);
    const sender = tsnc(['--sha256', '127.0.0.1', String(port)], {
      stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    });
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(receiver.stdout().equals(payload)).toBe(true);
    const n = payload.length;
    expect(sender.stderr()).toBe(
      `tsnc: sent ${n} bytes, sha256 ${sha256(payload)}\ntsnc: received 0 bytes, sha256 ${EMPTY_SHA256}\n`,
    );
    expect(receiver.stderr()).toMatch(
      new RegExp(
        `\\ntsnc: sent 0 bytes, sha256 ${EMPTY_SHA256}\\ntsnc: received ${n} bytes, sha256 ${sha256(payload)}\\n$`,
      ),
    );
  });

  it('both directions at once, against a plain TCP peer', async () => {
    const peer = await peerServer();
    try {
      const client = tsnc(['--sha256', '127.0.0.1', String(peer.port)]);
      const conn = await peer.accepted();
      client.write('request');
      client.endStdin();
      await conn.fin;
      conn.socket.end('response!');
      expect(await client.exited()).toBe(0);
      expect(conn.received().toString()).toBe('request');
      expect(client.stdout().toString()).toBe('response!');
      expect(client.stderr()).toBe(
        `tsnc: sent 7 bytes, sha256 ${sha256(Buffer.from('request'))}\n` +
          `tsnc: received 9 bytes, sha256 ${sha256(Buffer.from('response!'))}\n`,
      );
    } finally {
      peer.close();
    }
  });

  it('without --sha256 or --progress nothing is added to stderr', async () => {
    const { proc: receiver, port } = await listener([]);
    const sender = tsnc(['127.0.0.1', String(port)], { stdio: [openSync(path, 'r'), 'pipe', 'pipe'] });
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sender.stderr()).toBe('');
    expect(receiver.stdout().equals(payload)).toBe(true);
  });

  it.each([
    [['--sha256', '-lk', '-p', '0'], 'tsnc: cannot use --sha256 and -k\n'],
    [['--progress', '-z', '127.0.0.1', '1'], 'tsnc: cannot use --progress and -z\n'],
    [['--sha256', '-e', 'cat', '127.0.0.1', '1'], 'tsnc: cannot use --sha256 and -e\n'],
    [['--wait', '--progress', '127.0.0.1', '1'], 'tsnc: cannot use --wait and --progress\n'],
  ])('%j: one line, exit 1', async (args, line) => {
    const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe(line);
  });
});

describe('--progress', () => {
  it('stderr not a terminal: one summary line at the end, on both sides', async () => {
    const { proc: receiver, port } = await listener(['--progress']);
    const sender = tsnc(['--progress', '127.0.0.1', String(port)], {
      stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    });
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    const n = payload.length;
    const rate = String.raw`\([\d.]+ (B|KiB|MiB|GiB)/s\)`;
    expect(sender.stderr()).toMatch(
      new RegExp(`^tsnc: ${n} bytes sent ${rate}, 0 bytes received \\(0 B/s\\) in [\\d.]+ s\\n$`),
    );
    expect(receiver.stderr()).toMatch(
      new RegExp(`\\ntsnc: 0 bytes sent \\(0 B/s\\), ${n} bytes received ${rate} in [\\d.]+ s\\n$`),
    );
    expect(receiver.stdout().equals(payload)).toBe(true);
  });

  itWithPeer('script')(
    'stderr a terminal: a live line with the size and an ETA, then the summary',
    async () => {
      const big = randomPayload(32 * 1024 * 1024);
      const bigPath = files.file('big.bin', big);
      const peer = await peerServer();
      try {
        // script(1) gives tsnc a pty for stdout and stderr; stdin is the file.
        const shell = `exec "${process.execPath}" "${CLI}" --progress 127.0.0.1 ${peer.port} < "${bigPath}"`;
        const term = start('script', ['-qfec', shell, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
        const conn = await peer.accepted();
        // The peer does not read yet: tsnc stalls part-way, so the live line must show up.
        conn.socket.pause();
        await waitFor(
          () => /sent [\d.]+ \S+ of 32\.0 MiB \(\d+%, ETA [\d:?]+\)/.test(term.stdout().toString()),
          'the live --progress line',
          20_000,
        );
        conn.socket.resume();
        await conn.fin;
        conn.socket.end();
        expect(await term.exited()).toBe(0);
        expect(sha256(conn.received())).toBe(sha256(big));
        const out = term.stdout().toString();
        expect(out).toContain('\r\x1b[K');
        expect(out).toMatch(
          /tsnc: 33554432 bytes sent \([\d.]+ \S+\/s\), 0 bytes received \(0 B\/s\) in [\d.]+ s\r?\n$/,
        );
      } finally {
        peer.close();
      }
    },
  );
});
