// Soak: a -k listener under 2,000 sequential and 200 concurrent short connections
// (bounded client loops): every payload delivered whole and once, no file descriptor leak
// (/proc/PID/fd before and after), memory flat (VmRSS). The same for -k -e /bin/cat, where each
// client gets its own program (pipes and children must not leak either). CI=true runs the
// loops five times longer.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, waitFor } from '../helpers/cli.js';
import { sha256 } from '../helpers/data.js';
import { peerClient, quietPeriod } from '../helpers/peer.js';
import { CRASH, fdCount, inCI, MiB, pidOf, statusKiB } from './kit.js';

afterEach(killAll);

const SCALE = inCI ? 5 : 1;
/** Whole-test bound for each loop: generous for a shared 2-core box, and still finite. */
const LOOP_MS = 150_000 * SCALE;
const WARM_UP = 500 * SCALE;

/** One short client: send a line, half-close, wait until tsnc has closed the connection too. */
const shortClient = async (port: number, line: string): Promise<string> => {
  const conn = await peerClient(port);
  conn.socket.end(line);
  await conn.closed;
  return conn.received().toString();
};

const line = (tag: string, i: number): string => `${tag}-${i} ${randomBytes(48).toString('base64')}\n`;

/** The children of a process (its -e programs), from /proc. */
const childrenOf = (pid: number): number[] =>
  readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number),
  );

/** Wait until the fd count is back to what it was (the last session's socket is closed async). */
const fdsSettle = async (pid: number, baseline: number): Promise<number> => {
  await waitFor(
    () => fdCount(pid) <= baseline,
    `fds of ${pid} back to ${baseline} (now ${fdCount(pid)})`,
  ).catch(() => undefined);
  return fdCount(pid);
};

/**
 * The fewest descriptors pid holds over half a second: a baseline that no close still in flight
 * (a program's pipes, just after it exited) makes too high.
 */
const fdsAtRest = async (pid: number): Promise<number> => {
  let fewest = fdCount(pid);
  for (let i = 0; i < 10; i += 1) {
    await quietPeriod(50);
    fewest = Math.min(fewest, fdCount(pid));
  }
  return fewest;
};

const report = (what: string, figures: Record<string, number>): void => {
  console.log(
    `[soak] ${what}: ${Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
};

describe('a -k listener under many short connections', () => {
  it(
    `${2000 * SCALE} sequential, then ${200 * SCALE} concurrent: every line once, no fd leak, memory flat`,
    async () => {
      const { proc, port } = await listener(['-k'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const pid = pidOf(proc);
      const deadline = Date.now() + LOOP_MS;
      const sent: string[] = [];
      // Warm up (JIT, heap), then take the baseline. V8 grows its young generation in steps over the
      // first few thousand short-lived sockets (a -k -v listener: 61 MiB after 2,000, flat at 84-88
      // MiB from 10,000 to 50,000 connections; live heap after a full GC 4 MiB), so the baseline is
      // taken once most of that growth is behind: what comes after it is what a leak would add.
      for (let i = 0; i < WARM_UP; i += 1) sent.push(await sendLine(port, line('warm', i)));
      await waitFor(() => proc.stdout().length === Buffer.byteLength(sent.join('')), 'the warm-up lines');
      const fdsBefore = fdCount(pid);
      const rssBefore = statusKiB(pid, 'VmRSS');

      for (let i = 0; i < 2000 * SCALE && Date.now() < deadline; i += 1)
        sent.push(await sendLine(port, line('seq', i)));
      const rssAfterSequential = statusKiB(pid, 'VmRSS');
      const concurrent = Array.from({ length: 200 * SCALE }, (_, i) => line('con', i));
      await Promise.all(concurrent.map((text) => shortClient(port, text)));
      sent.push(...concurrent);
      expect(sent.length).toBe(WARM_UP + 2200 * SCALE);

      const expected = Buffer.byteLength(sent.join(''));
      await waitFor(() => proc.stdout().length >= expected, 'every line on stdout', 30_000);
      const got = proc
        .stdout()
        .toString()
        .split('\n')
        .slice(0, -1)
        .map((text) => `${text}\n`);
      // Serial sessions: each client's line arrives whole; none lost, none twice.
      expect(got.length).toBe(sent.length);
      expect(sha256(Buffer.from([...got].sort().join('')))).toBe(
        sha256(Buffer.from([...sent].sort().join(''))),
      );

      const fdsAfter = await fdsSettle(pid, fdsBefore);
      const rssAfter = statusKiB(pid, 'VmRSS');
      report('plain -k', {
        connections: sent.length,
        fdsBefore,
        fdsAfter,
        rssBeforeKiB: rssBefore,
        rssAfterSequentialKiB: rssAfterSequential,
        rssAfterKiB: rssAfter,
        hwmKiB: statusKiB(pid, 'VmHWM'),
      });
      expect(fdsAfter).toBe(fdsBefore);
      expect(rssAfter).toBeLessThan(rssBefore + 40 * MiB);
      expect(proc.stderr()).not.toMatch(CRASH);
      expect(proc.stderr().split('Connection received on').length - 1).toBe(sent.length);
      expect(proc.child.exitCode).toBeNull();
      proc.kill('SIGTERM');
      expect(await proc.exited()).toBe(143);
    },
    LOOP_MS + 60_000,
  );

  it(
    `-k -e /bin/cat: ${300 * SCALE} sequential and ${100 * SCALE} concurrent echoes, no fd or child leak`,
    async () => {
      const { proc, port } = await listener(['-k', '-m', String(200 * SCALE), '-e', '/bin/cat'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const pid = pidOf(proc);
      const deadline = Date.now() + LOOP_MS;
      const echo = async (text: string): Promise<void> => {
        expect(await shortClient(port, text)).toBe(text);
      };
      for (let i = 0; i < 20; i += 1) await echo(line('warm', i));
      await waitFor(() => childrenOf(pid).length === 0, 'the warm-up programs to exit');
      const fdsBefore = await fdsAtRest(pid);
      const rssBefore = statusKiB(pid, 'VmRSS');
      for (let i = 0; i < 300 * SCALE && Date.now() < deadline; i += 1) await echo(line('seq', i));
      await Promise.all(Array.from({ length: 100 * SCALE }, (_, i) => echo(line('con', i))));
      await waitFor(() => childrenOf(pid).length === 0, 'every program to exit');
      const fdsAfter = await fdsSettle(pid, fdsBefore);
      const rssAfter = statusKiB(pid, 'VmRSS');
      report('-k -e /bin/cat', { fdsBefore, fdsAfter, rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter });
      expect(fdsAfter).toBe(fdsBefore);
      expect(rssAfter).toBeLessThan(rssBefore + 40 * MiB);
      expect(proc.stderr()).not.toMatch(CRASH);
      proc.kill('SIGTERM');
      expect(await proc.exited()).toBe(143);
    },
    LOOP_MS + 60_000,
  );
});

/** A sequential client: its line, returned once tsnc has ended the session. */
const sendLine = async (port: number, text: string): Promise<string> => {
  await shortClient(port, text);
  return text;
};
