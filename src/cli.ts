#!/usr/bin/env node
import { constants } from 'node:os';
import { basename } from 'node:path';
import { isatty } from 'node:tty';
import { runAtExit } from './at-exit.js';
import { EXIT, signalExitCode } from './errors.js';
import { run } from './main.js';
import type { Death } from './report.js';

// Diagnostics carry the invoked name (`nc:` when installed as nc), like nc's __progname.
const invokedAs = basename(process.argv[1] ?? 'tsnc');
const progName = /^(cli|tsnc)(\.[cm]?[jt]s)?$/.test(invokedAs) ? 'tsnc' : invokedAs.replace(/\.[cm]?js$/, '');

// A stderr nobody reads (2>&1 | head -1) must not end the session: nc ignores failed warnings.
process.stderr.on('error', () => undefined);

// --json: the summary (or error) line to write before dying; set by run() once it is known.
let lastWords: ((death: Death) => void) | undefined;

// SIGINT, SIGTERM, SIGHUP: die at once by the signal itself, as nc does. Not via process.exit():
// it waits for the threadpool, where a name lookup may be blocked for the resolver's timeout.
// As PID 1 (docker run) a signal's default action is ignored, so there exit with 128+n.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // A write to a pipe, a file or a terminal is synchronous on Linux: it is out before the kill.
    lastWords?.({ signal });
    runAtExit();
    if (process.pid === 1) process.exit(signalExitCode(constants.signals[signal]));
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}

const fail = (error: unknown): void => {
  const text = error instanceof Error ? error.message : String(error);
  if (lastWords !== undefined) lastWords({ internalError: text });
  else process.stderr.write(`${progName}: internal error: ${text}\n`);
  runAtExit();
  process.exit(EXIT.failure);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

// run() resolves only after stdout is flushed, so nothing is pending; exit explicitly because a
// stdin read that will never complete (an open pipe nobody writes to) would keep Node alive.
// (No top-level await: the same file is bundled as CommonJS for `npm run bundle` and the SEA.)
run(process.argv.slice(2), {
  progName,
  stdinFd: 0,
  stdoutFd: 1,
  writeStderr: (text) => process.stderr.write(text),
  // isatty(), not process.stderr.isTTY: that getter would set up a tty stream on fd 2.
  stderrIsTTY: isatty(2),
  setLastWords: (say) => {
    lastWords = say;
  },
}).then((status) => {
  // What must not outlive tsnc (--port-file's file) goes on a normal exit too.
  runAtExit();
  process.exit(status);
}, fail);
