import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import type { ExecSpec, SessionConfig } from '../config.js';
import { errnoText } from '../errors.js';
import { StdinSource, StdoutSink } from '../io/endpoints.js';
import { relay } from '../io/relay.js';
import { messages } from '../messages.js';
import { telnetAnswerer } from '../io/telnet.js';

const started = (child: ChildProcess): Promise<unknown> =>
  new Promise((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * -e/-c: the program's stdin and stdout are the connection, its stderr is tsnc's (as in
 * nc.traditional and ncat). The arguments go to the program as they are, never through a shell
 * (-c is the one explicit shell), and nothing the peer sends is ever an argument. The session
 * ends when the program closes its stdout (it exited): FIN, then close. The peer's EOF closes
 * the program's stdin; it may still answer. Resolves false if the program could not be started.
 */
export const execSession = async (
  conn: Duplex,
  spec: ExecSpec,
  config: SessionConfig,
  warn: (text: string) => void,
): Promise<boolean> => {
  const child = spawn(spec.file, spec.args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const failure = await started(child);
  if (failure !== undefined) {
    warn(messages.execFailed(spec.file, errnoText(failure)));
    conn.destroy();
    return false;
  }
  const { stdin, stdout } = child;
  if (stdin === null || stdout === null) throw new Error('child without pipes');
  const output = StdinSource.of(stdout, 'pipe');
  await relay(conn, output, new StdoutSink(stdin, true), {
    shutdown: 'always',
    quitAfterEofMs: 0,
    idleTimeoutMs: config.idleTimeoutMs,
    afterPeerEof: 'close-sink',
    answer: config.telnet ? telnetAnswerer() : undefined,
  });
  // The connection is gone before the program finished (reset, -w idle): it has nobody to talk
  // to any more, so it is told to stop rather than left running.
  if (!output.ended) {
    stdin.destroy();
    child.kill('SIGTERM');
  }
  await exited(child);
  return true;
};
