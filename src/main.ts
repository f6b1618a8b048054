import type { Command } from './config.js';
import { errnoText, EXIT, TsncError, UsageError } from './errors.js';
import { StdinSource, StdoutSink } from './io/endpoints.js';
import { openInput, openOutput, stdioKind } from './io/stdio.js';
import { messages } from './messages.js';
import { connectMode } from './modes/connect.js';
import { listenMode } from './modes/listen.js';
import type { ModeContext } from './modes/session.js';
import { helpText, parseArgs, resolveConfig, usageText } from './options.js';
import { VERSION } from './version.js';

/** The process around tsnc: its name, its standard streams, and its stderr. */
export interface Io {
  /** Name in diagnostics: `tsnc`, or `nc` when installed as nc. */
  readonly progName: string;
  readonly stdinFd: number;
  readonly stdoutFd: number;
  writeStderr(text: string): void;
}

const parse = (argv: readonly string[], io: Io): Command | number => {
  try {
    return resolveConfig(parseArgs(argv));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message !== '') io.writeStderr(`${io.progName}: ${error.message}\n`);
    if (error.showUsage) io.writeStderr(usageText(io.progName));
    return error.exitCode;
  }
};

/** Run tsnc with these arguments; resolves to the exit status once stdout is flushed. */
export const run = async (argv: readonly string[], io: Io): Promise<number> => {
  const command = parse(argv, io);
  if (typeof command === 'number') return command;
  const stdout = new StdoutSink(openOutput(io.stdoutFd, stdioKind(io.stdoutFd)));
  if (command.kind === 'help' || command.kind === 'version') {
    const text = command.kind === 'help' ? helpText(io.progName, VERSION) : `tsnc ${VERSION}\n`;
    stdout.write(Buffer.from(text));
    await stdout.flush();
    return EXIT.ok;
  }

  const { config } = command;
  const stdinKind = stdioKind(io.stdinFd);
  const ctx: ModeContext = {
    stdin: config.readStdin
      ? StdinSource.of(openInput(io.stdinFd, stdinKind), stdinKind)
      : StdinSource.disabled(),
    stdout,
    warn: (text) => io.writeStderr(`${io.progName}: ${text}\n`),
    info: (text) => {
      if (config.verbose) io.writeStderr(`${text}\n`);
    },
  };
  try {
    const status = config.mode === 'listen' ? await listenMode(config, ctx) : await connectMode(config, ctx);
    if (stdout.failure !== undefined) {
      ctx.warn(messages.stdoutFailed(errnoText(stdout.failure)));
      return EXIT.failure;
    }
    return status;
  } catch (error) {
    if (error instanceof TsncError) {
      ctx.warn(error.message);
      return error.exitCode;
    }
    throw error;
  } finally {
    await stdout.flush();
  }
};
