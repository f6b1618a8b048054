import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The built CLI, as a user runs it (npm ci builds it; `npm test` rebuilds it first). */
export const CLI = fileURLToPath(new URL('../../dist/tsnc.cjs', import.meta.url));

/** Every child started by a test, so teardown can end them by PID. */
const started = new Set<ChildProcess>();

export interface Proc {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): Buffer;
  /** Everything written to stderr so far, as text. */
  stderr(): string;
  /** Resolves with the exit status (128+n when killed by signal n), or rejects after ms. */
  exited(ms?: number): Promise<number>;
  /** Resolves with the first stderr line matching re, or rejects after ms. */
  stderrLine(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Write to stdin (if piped). */
  write(data: string | Buffer): void;
  /** Close stdin (if piped). */
  endStdin(): void;
  kill(signal?: NodeJS.Signals): void;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

/** Start any program with stdio as given (default: all piped). */
export const start = (command: string, args: readonly string[], options: SpawnOptions = {}): Proc => {
  const child = spawn(command, args, { stdio: 'pipe', ...options });
  started.add(child);
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  // The child may exit before reading all we write, or reset its end of a stdio socketpair:
  // cases under test, not failures of the test process.
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.on('error', () => undefined);
  const exit = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => {
      started.delete(child);
      resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0));
    });
  });
  return {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    exited: (ms = 15_000) =>
      Promise.race([
        exit,
        new Promise<number>((_, reject) =>
          setTimeout(
            () =>
              reject(new Error(`${command} ${args.join(' ')} still running after ${ms} ms; stderr: ${err}`)),
            ms,
          ).unref(),
        ),
      ]),
    stderrLine: (re, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = re.exec(err);
          if (match !== null) {
            child.stderr?.removeListener('data', check);
            clearTimeout(timer);
            resolve(match);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          child.stderr?.removeListener('data', check);
          reject(new Error(`no stderr line ${re} within ${ms} ms; stderr: ${err}`));
        }, ms);
        timer.unref();
        if (!check()) child.stderr?.on('data', check);
      }),
    write: (data) => {
      child.stdin?.write(data);
    },
    endStdin: () => {
      child.stdin?.end();
    },
    kill: (signal = 'SIGTERM') => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
};

/** Start the built tsnc CLI. */
export const tsnc = (args: readonly string[], options: SpawnOptions = {}): Proc =>
  start(process.execPath, [CLI, ...args], options);

/** Start `tsnc -l` on port 0 with -v and -n, and wait for its `Listening on ADDR PORT` line. */
export const listener = async (
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<{ proc: Proc; port: number }> => {
  const proc = tsnc(['-l', '-v', '-n', ...args, ...(args.includes('-p') ? [] : ['-p', '0'])], options);
  // A start-up on a machine running many tests at once can take seconds: a generous bound.
  const match = await proc.stderrLine(/Listening on \S+ (\d+)\n/, 30_000);
  return { proc, port: Number(match[1]) };
};

/** End every child a test started and left running (call from afterEach). */
export const killAll = async (): Promise<void> => {
  const children = [...started];
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => once(child, 'close')));
};

/** Poll until check() holds (every 20 ms, at most ms), else reject with what. */
export const waitFor = async (check: () => boolean, what: string, ms = 10_000): Promise<void> => {
  for (let waited = 0; !check(); waited += 20) {
    if (waited >= ms) throw new Error(`still waiting after ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
