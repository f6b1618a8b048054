#!/usr/bin/env node
import { constants } from 'node:os';
import { basename } from 'node:path';
import { isatty } from 'node:tty';
import { EXIT, signalExitCode } from './errors.js';
import { run } from './main.js';

// Diagnostics carry the invoked name (`nc:` when installed as nc), like nc's __progname.
const invokedAs = basename(process.argv[1] ?? 'tsnc');
const progName = /^(cli|tsnc)(\.[cm]?[jt]s)?$/.test(invokedAs) ? 'tsnc' : invokedAs.replace(/\.[cm]?js$/, '');

// Node as PID 1 (docker run) ignores SIGTERM/SIGINT unless handled, and nc dies at once.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => process.exit(signalExitCode(constants.signals[signal])));
}

const fail = (error: unknown): void => {
  const text = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${progName}: internal error: ${text}\n`);
  process.exit(EXIT.failure);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const status = await run(process.argv.slice(2), {
  progName,
  stdinFd: 0,
  stdoutFd: 1,
  writeStderr: (text) => process.stderr.write(text),
  // isatty(), not process.stderr.isTTY: that getter would set up a tty stream on fd 2 at start-up.
  stderrIsTTY: isatty(2),
});
// run() resolves only after stdout is flushed, so nothing is pending; exit explicitly because a
// stdin read that will never complete (an open pipe nobody writes to) would keep Node alive.
process.exit(status);
