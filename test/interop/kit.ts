import { execFile } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { SpawnOptions, StdioOptions } from 'node:child_process';
import { start, type Proc } from '../helpers/cli.js';
import { freePort } from '../helpers/peer.js';

const execFileAsync = promisify(execFile);

/** Bound for every process in these tests to end by itself (generous: a loaded 2-core CI box). */
export const EXIT_MS = 20_000;

/** What a child's stdin or stdout is attached to, as a shell would do it. */
export type StdioSpec = 'pipe' | 'null' | { readonly read: string } | { readonly write: string };

/**
 * Open the files for [stdin, stdout] (stderr is always piped) and call spawn with them. The
 * parent's copies of the descriptors are closed once the child has them.
 */
export const withStdio = <T>(
  [stdin, stdout]: readonly [StdioSpec, StdioSpec],
  spawn: (options: SpawnOptions) => T,
): T => {
  const opened: number[] = [];
  const open = (spec: StdioSpec): 'pipe' | number => {
    if (spec === 'pipe') return 'pipe';
    const fd =
      spec === 'null'
        ? openSync('/dev/null', 'r+')
        : 'read' in spec
          ? openSync(spec.read, 'r')
          : openSync(spec.write, 'w');
    opened.push(fd);
    return fd;
  };
  try {
    const stdio: StdioOptions = [open(stdin), open(stdout), 'pipe'];
    return spawn({ stdio });
  } finally {
    for (const fd of opened) closeSync(fd);
  }
};

/**
 * Whether the process pid has a listening TCP socket on port. Asked of `ss`, not by connecting:
 * nc takes the first connection as its session, so a probe would consume it.
 */
const isListening = async (port: number, pid: number): Promise<boolean> => {
  const { stdout } = await execFileAsync('ss', ['-ltnpH', `sport = :${port}`]);
  return stdout.includes(`pid=${pid},`);
};

/**
 * Start a peer's listener on a free port and wait (bounded) until its socket is listening. The
 * port is picked by this process, so another test may grab it first: the peer then fails to bind
 * and exits, and we try again with a new port.
 */
export const startPeerListener = async (
  command: string,
  argsFor: (port: number) => readonly string[],
  stdio: readonly [StdioSpec, StdioSpec],
): Promise<{ proc: Proc; port: number }> => {
  const failures: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = argsFor(port);
    const proc = withStdio(stdio, (options) => start(command, args, options));
    for (let poll = 0; poll < 100; poll++) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) break;
      if (proc.child.pid !== undefined && (await isListening(port, proc.child.pid))) return { proc, port };
      await sleep(50);
    }
    proc.kill('SIGKILL');
    await proc.exited(EXIT_MS).catch(() => undefined);
    failures.push(`${command} ${args.join(' ')}: ${proc.stderr().trim() || 'not listening after 5 s'}`);
  }
  throw new Error(`could not start a listener:\n${failures.join('\n')}`);
};

/** Resolve once proc's (piped) stdout contains text; reject with what it has after ms. */
export const stdoutIncludes = (proc: Proc, text: string, ms = 10_000): Promise<void> =>
  new Promise((resolve, reject) => {
    const stream = proc.child.stdout;
    const check = (): void => {
      if (!proc.stdout().includes(text)) return;
      stream?.removeListener('data', check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      stream?.removeListener('data', check);
      reject(
        new Error(
          `stdout has no ${JSON.stringify(text)} after ${ms} ms: ${JSON.stringify(proc.stdout().toString())}`,
        ),
      );
    }, ms);
    timer.unref();
    // The helper's own 'data' listener was added first, so proc.stdout() already holds the chunk.
    stream?.on('data', check);
    check();
  });

/** A line typed on a reaches b ("from-a"), then one typed on b reaches a ("from-b"). */
export const exchange = async (a: Proc, b: Proc): Promise<void> => {
  a.write('from-a\n');
  await stdoutIncludes(b, 'from-a\n');
  b.write('from-b\n');
  await stdoutIncludes(a, 'from-b\n');
};
