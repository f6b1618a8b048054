// Rule 8: a broken stdout is no crash (exit 0); a failing one is one clear line (exit 1);
// SIGINT/SIGTERM/SIGHUP end tsnc at once with 128+n, also as PID 1.
import { openSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload } from '../helpers/data.js';
import { peerClient, peerServer } from '../helpers/peer.js';

afterEach(killAll);

const isRoot = process.getuid?.() === 0;
const inCI = process.env['CI'] === 'true';

describe('stdout', () => {
  it('| head -c 10: exit 0, no message, the first 10 bytes through', async () => {
    const peer = await peerServer();
    const proc = start('bash', [
      '-c',
      `"${process.execPath}" "${CLI}" 127.0.0.1 ${peer.port} </dev/null | head -c 10; echo " status=\${PIPESTATUS[0]}"`,
    ]);
    const conn = await peer.accepted();
    conn.socket.on('error', () => undefined);
    conn.socket.end(Buffer.alloc(8 << 20, 'A'));
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('AAAAAAAAAA status=0\n');
    expect(proc.stderr()).toBe('');
    peer.close();
  });

  it('a reader that closes its end at once: exit 0, stdin still delivered to the peer', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)]);
    proc.child.stdout?.destroy();
    const conn = await peer.accepted();
    conn.socket.write(randomPayload(1 << 20));
    proc.write('still-sent\n');
    proc.endStdin();
    await conn.fin;
    conn.socket.end();
    expect(await proc.exited()).toBe(0);
    expect(conn.received().toString()).toBe('still-sent\n');
    expect(proc.stderr()).toBe('');
    peer.close();
  });

  it('/dev/full: one clear line and exit 1', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)], {
      stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'],
    });
    const conn = await peer.accepted();
    conn.socket.on('error', () => undefined);
    conn.socket.end('lost\n');
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe('tsnc: write error on stdout: No space left on device\n');
    peer.close();
  });
});

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s while listening: exit %i at once', async (signal, status) => {
    const { proc } = await listener([]);
    proc.kill(signal);
    expect(await proc.exited(5000)).toBe(status);
    expect(proc.stderr()).not.toMatch(/Error|at /);
  });

  it('SIGTERM mid-transfer: exit 143 at once', async () => {
    const { proc, port } = await listener([]);
    const conn = await peerClient(port);
    conn.socket.write(randomPayload(1 << 20));
    await waitFor(() => proc.stdout().length > 0, 'data on stdout');
    proc.kill('SIGTERM');
    expect(await proc.exited(5000)).toBe(143);
  });

  it.skipIf(!isRoot && !inCI)(
    `SIGTERM as PID 1 (a new PID namespace, like docker run): exit 143${isRoot || inCI ? '' : ' [skipped: needs root]'}`,
    async () => {
      const proc = start('unshare', ['--fork', '--pid', process.execPath, CLI, '-l', '-v', '-n', '-p', '0']);
      await proc.stderrLine(/Listening on/);
      const unsharePid = proc.child.pid ?? 0;
      const tsncPid = Number(readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim());
      expect(tsncPid).toBeGreaterThan(0);
      process.kill(tsncPid, 'SIGTERM');
      expect(await proc.exited(5000)).toBe(143);
    },
  );
});
