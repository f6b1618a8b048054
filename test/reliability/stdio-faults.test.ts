// Faults of the standard streams. stdout: a closed descriptor, a reader that went
// away, a full disk, a consumer that stops reading (memory must stay flat: backpressure reaches
// the peer). stdin: closed, /dev/null, an empty file, a FIFO that stays open, a terminal (tmux).
// Every transfer is sha256-checked; no case may crash or print a stack trace.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerClient, peerServer, quietPeriod } from '../helpers/peer.js';
import { AT_ONCE_MS, CRASH, MiB, pidOf, statusKiB } from './kit.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const payload = randomPayload(1 << 20);
const big = randomPayload(64 << 20);
const bigFile = files.file('big.bin', big);
const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
const tsncCommand = (args: readonly string[]): string =>
  [process.execPath, CLI, ...args].map(shellQuote).join(' ');

describe('stdout faults', () => {
  it('stdout closed (>&-): Node gives fd 1 to /dev/null; exit 0, no message', async () => {
    const peer = await peerServer();
    const proc = start('bash', [
      '-c',
      `exec ${tsncCommand(['127.0.0.1', String(peer.port)])} </dev/null >&-`,
    ]);
    const conn = await peer.accepted();
    conn.socket.end(payload);
    expect(await proc.exited()).toBe(0);
    expect(proc.stderr()).toBe('');
    peer.close();
  });

  it('-k listener whose stdout reader went away: serves client after client, memory flat, no message', async () => {
    const { proc, port } = await listener(['-k'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.child.stdout?.destroy();
    const pid = pidOf(proc);
    let baseline = 0;
    // Node's allocator grows for the first few 16 MiB bursts, then stays: baseline after three.
    for (let i = 0; i < 9; i += 1) {
      const conn = await peerClient(port);
      conn.socket.on('error', () => undefined);
      conn.socket.end(big.subarray(0, 16 << 20));
      await conn.closed;
      if (i === 2) baseline = statusKiB(pid, 'VmRSS');
    }
    expect(proc.child.exitCode).toBeNull();
    // 96 MiB more went to a dead stdout: it must have been dropped, not kept.
    expect(statusKiB(pid, 'VmRSS')).toBeLessThan(baseline + 32 * MiB);
    expect(proc.stderr()).not.toMatch(CRASH);
    proc.kill('SIGTERM');
    expect(await proc.exited()).toBe(143);
  });

  it('-k listener with stdout on /dev/full: one line and exit 1 after the first client', async () => {
    const { proc, port } = await listener(['-k'], { stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'] });
    const conn = await peerClient(port);
    conn.socket.on('error', () => undefined);
    conn.socket.end(payload);
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toMatch(
      /^Listening on [^\n]+\nConnection received on [^\n]+\ntsnc: write error on stdout: No space left on device\n$/,
    );
  });

  it('a consumer that stops reading: backpressure reaches the peer, memory stays flat, nothing lost', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = pidOf(proc);
    const conn = await peer.accepted();
    await quietPeriod(200);
    const baseline = statusKiB(pid, 'VmRSS');
    proc.child.stdout?.pause();
    conn.socket.end(big);
    // The peer cannot get rid of its 64 MiB: the kernel buffers fill and tsnc stops reading.
    await waitFor(() => conn.socket.writableLength > 32 << 20, 'the peer to be held back');
    const stalled = conn.socket.writableLength;
    await quietPeriod(500);
    expect(conn.socket.writableLength).toBe(stalled);
    expect(statusKiB(pid, 'VmRSS')).toBeLessThan(baseline + 32 * MiB);
    proc.child.stdout?.resume();
    expect(await proc.exited(60_000)).toBe(0);
    expect(sha256(proc.stdout())).toBe(sha256(big));
    peer.close();
  }, 90_000);

  it('a peer that stops reading while stdin is a 64 MiB file: tsnc stops reading stdin, memory flat', async () => {
    const peer = await peerServer();
    const proc = tsnc(['127.0.0.1', String(peer.port)], { stdio: [openSync(bigFile, 'r'), 'pipe', 'pipe'] });
    const pid = pidOf(proc);
    const conn = await peer.accepted();
    conn.socket.pause();
    await quietPeriod(1000);
    const held = statusKiB(pid, 'VmRSS');
    await quietPeriod(1000);
    // Reading the file on would take a second or two; held back, memory does not move.
    expect(statusKiB(pid, 'VmRSS')).toBeLessThan(held + 16 * MiB);
    expect(statusKiB(pid, 'VmHWM')).toBeLessThan(held + 32 * MiB);
    conn.socket.resume();
    await conn.fin;
    conn.socket.end();
    expect(await proc.exited(60_000)).toBe(0);
    expect(sha256(conn.received())).toBe(sha256(big));
    peer.close();
  }, 90_000);

  // Was a bug (fixed; see docs/reliability.md): a write error on stderr (a closed pipe: `tsnc -v ... 2>&1 | head -1`, a log collector
  // that died) is an 'error' event on process.stderr with no listener: uncaughtException ->
  // "internal error" (written to the same broken stderr) -> exit 1, and the session is cut
  // off. nc.openbsd ignores SIGPIPE and failed writes to stderr and carries on (rc 0).
  // Fix: in src/cli.ts, `process.stderr.on('error', () => undefined)` before anything is
  // written, and make writeStderr never throw.
  it('stderr a closed pipe: the session still runs, stdout gets everything, exit 0', async () => {
    const peer = await peerServer();
    // A pipe whose read end is already closed, as tsnc's stderr (python3: bash cannot make one).
    const proc = start('python3', [
      '-c',
      'import os, subprocess, sys\nr, w = os.pipe()\nos.close(r)\n' +
        'sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stderr=w).returncode)',
      process.execPath,
      CLI,
      '-v',
      '127.0.0.1',
      String(peer.port),
    ]);
    const conn = await peer.accepted().catch(() => undefined);
    conn?.socket.on('error', () => undefined);
    conn?.socket.end('all of it\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('all of it\n');
    peer.close();
  });
});

/** How stdin is set up for one case; the test end is closed after spawning. */
type StdinKind = 'closed' | 'dev-null' | 'empty-file' | 'fifo-held-open';

/** A FIFO whose write end the test holds: tsnc's stdin never reaches EOF by itself. */
const heldFifo = (name: string): { read: number; write: number } => {
  const path = join(files.dir, name);
  execFileSync('mkfifo', [path]);
  const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const write = openSync(path, constants.O_WRONLY);
  return { read, write };
};

const startWithStdin = (kind: StdinKind, args: readonly string[], n: number) => {
  switch (kind) {
    case 'closed':
      return { proc: start('bash', ['-c', `exec ${tsncCommand(args)} <&-`]), done: () => undefined };
    case 'dev-null':
      return { proc: tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] }), done: () => undefined };
    case 'empty-file':
      return {
        proc: tsnc(args, { stdio: [openSync(files.file(`empty-${n}`, ''), 'r'), 'pipe', 'pipe'] }),
        done: () => undefined,
      };
    case 'fifo-held-open': {
      const fifo = heldFifo(`fifo-${n}`);
      const proc = tsnc(args, { stdio: [fifo.read, 'pipe', 'pipe'] });
      closeSync(fifo.read);
      return { proc, done: () => closeSync(fifo.write) };
    }
  }
};

const kinds: StdinKind[] = ['closed', 'dev-null', 'empty-file', 'fifo-held-open'];
let serial = 0;

describe('stdin faults: the peer sends 1 MiB and closes', () => {
  it.each(kinds)('connect mode, stdin %s: exit 0 at once, sha256 equal, stderr empty', async (kind) => {
    const peer = await peerServer();
    const { proc, done } = startWithStdin(kind, ['127.0.0.1', String(peer.port)], (serial += 1));
    try {
      const conn = await peer.accepted();
      conn.socket.end(payload);
      expect(await proc.exited(AT_ONCE_MS * 2)).toBe(0);
      expect(sha256(proc.stdout())).toBe(sha256(payload));
      expect(proc.stderr()).toBe('');
    } finally {
      done();
      peer.close();
    }
  });

  it.each(kinds)('listen mode, stdin %s: exit 0 at once, sha256 equal', async (kind) => {
    const { proc, done } = startWithStdin(kind, ['-l', '-v', '-n', '-p', '0'], (serial += 1));
    try {
      const port = Number((await proc.stderrLine(/Listening on \S+ (\d+)\n/))[1]);
      const conn = await peerClient(port);
      conn.socket.end(payload);
      expect(await proc.exited(AT_ONCE_MS * 2)).toBe(0);
      expect(sha256(proc.stdout())).toBe(sha256(payload));
      expect(proc.stderr()).not.toMatch(CRASH);
    } finally {
      done();
    }
  });

  it('a FIFO held open that carries a line, then its writer closes: the line and a FIN reach the peer', async () => {
    const peer = await peerServer();
    const fifo = heldFifo('fifo-line');
    const proc = tsnc(['127.0.0.1', String(peer.port)], { stdio: [fifo.read, 'pipe', 'pipe'] });
    closeSync(fifo.read);
    const conn = await peer.accepted();
    writeSync(fifo.write, 'through the fifo\n');
    await conn.receivedAtLeast(17);
    closeSync(fifo.write);
    await conn.fin;
    conn.socket.end(payload);
    expect(await proc.exited()).toBe(0);
    expect(conn.received().toString()).toBe('through the fifo\n');
    expect(sha256(proc.stdout())).toBe(sha256(payload));
  });
});

describe('stdin a terminal (a tmux pane)', () => {
  const server = `tsnc-rel-${process.pid}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', server, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // Already gone: the server exits with its last session.
    }
  });

  /** Run tsnc in a new tmux window (stdin a pty); its stdout, stderr and status go to files. */
  const inTerminal = (name: string, args: readonly string[]) => {
    const out = join(files.dir, `${name}.out`);
    const err = join(files.dir, `${name}.err`);
    const rc = join(files.dir, `${name}.rc`);
    tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '120',
      '-y',
      '30',
      `${tsncCommand(args)} >${shellQuote(out)} 2>${shellQuote(err)}; echo $? >${shellQuote(rc)}`,
    );
    return {
      type: (...keys: string[]) => tmux('send-keys', '-t', name, ...keys),
      status: async (): Promise<number> => {
        await waitFor(
          () => existsSync(rc) && readFileSync(rc, 'utf8').endsWith('\n'),
          `${name} to end`,
          15_000,
        );
        return Number(readFileSync(rc, 'utf8'));
      },
      stdout: () => readFileSync(out),
      stderr: () => readFileSync(err, 'utf8'),
    };
  };

  it('connect: a typed line reaches the peer, ^D sends FIN, the reply arrives whole, exit 0', async () => {
    const peer = await peerServer();
    const term = inTerminal('typed', ['127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    term.type('typed in a terminal', 'Enter');
    await conn.receivedAtLeast(20);
    term.type('C-d');
    await conn.fin;
    conn.socket.end(payload);
    expect(await term.status()).toBe(0);
    expect(conn.received().toString()).toBe('typed in a terminal\n');
    expect(sha256(term.stdout())).toBe(sha256(payload));
    expect(term.stderr()).toBe('');
    peer.close();
  });

  it('listen: nothing typed, the client sends 1 MiB and closes: exit 0 at once, sha256 equal', async () => {
    const term = inTerminal('listen', ['-l', '-v', '-n', '-p', '0']);
    const errFile = join(files.dir, 'listen.err');
    await waitFor(
      () => /Listening on \S+ \d+\n/.test(existsSync(errFile) ? readFileSync(errFile, 'utf8') : ''),
      'Listening on',
    );
    const port = Number(/Listening on \S+ (\d+)\n/.exec(readFileSync(errFile, 'utf8'))?.[1]);
    const conn = await peerClient(port);
    conn.socket.end(payload);
    expect(await term.status()).toBe(0);
    expect(sha256(term.stdout())).toBe(sha256(payload));
  });
});
