import { fstatSync } from 'node:fs';
import type { Command, Config } from './config.js';
import { errnoText, EXIT, TsncError, UsageError } from './errors.js';
import { StdinSource, StdoutSink, type Sink, type Source } from './io/endpoints.js';
import type { Meter } from './io/meter.js';
import { openInput, openOutput, stdioKind } from './io/stdio.js';
import { messages } from './messages.js';
import { connectMode } from './modes/connect.js';
import { listenMode } from './modes/listen.js';
import type { ModeContext } from './modes/session.js';
import { parseArgs } from './options/argv.js';
import { resolveConfig } from './options/resolve.js';
import { usageText } from './options/usage.js';
import type { Death, JsonReport } from './report.js';
import { VERSION } from './version.js';

/** The process around tsnc: its name, its standard streams, and its stderr. */
export interface Io {
  /** Name in diagnostics: `tsnc`, or `nc` when installed as nc. */
  readonly progName: string;
  readonly stdinFd: number;
  readonly stdoutFd: number;
  writeStderr(text: string): void;
  /** stderr is a terminal (--progress redraws a live line there). */
  readonly stderrIsTTY?: boolean;
  /** --json: what to say (synchronously) just before dying by a signal or a bug. */
  readonly setLastWords?: (say: (death: Death) => void) => void;
}

/** --json in an argv that does not parse: the literal token, before any `--`. */
const jsonToken = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
};

const parse = async (
  argv: readonly string[],
  io: Io,
): Promise<{ command: Command; json: boolean } | number> => {
  let json = false;
  try {
    const raw = parseArgs(argv);
    json = raw.json;
    return { command: resolveConfig(raw), json };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (json || jsonToken(argv)) {
      // The usage as one line: its wrapped lines joined.
      const message =
        error.message !== ''
          ? error.message
          : usageText(io.progName)
              .replace(/\n\t */g, ' ')
              .trim();
      (await import('./report.js')).reportUsageError((text) => io.writeStderr(text), message, error.exitCode);
      return error.exitCode;
    }
    if (error.message !== '') io.writeStderr(`${io.progName}: ${error.message}\n`);
    if (error.showUsage) io.writeStderr(usageText(io.progName));
    return error.exitCode;
  }
};

/**
 * stdin as the session reads it: not at all for -d, -z, --wait, --serve and -e/-c; with -C and
 * -i and --rate applied. The rarely used transforms are loaded only when asked for (start-up time matters:
 * tsnc runs in shell loops).
 */
const stdinFor = async (config: Config, io: Io): Promise<Source> => {
  const reads = (config.mode === 'connect' || config.mode === 'listen') && config.readStdin;
  if (!reads || config.exec !== undefined) return StdinSource.disabled();
  const kind = stdioKind(io.stdinFd);
  // -i holds chunks back for a while: only without it may stdin read into one reused buffer
  let source: Source = StdinSource.of(openInput(io.stdinFd, kind, config.lineDelayMs === undefined), kind);
  if (config.crlf) source = (await import('./io/crlf.js')).crlfSource(source);
  if (config.lineDelayMs !== undefined) {
    source = new (await import('./io/line-delay.js')).PacedSource(source, config.lineDelayMs);
  }
  if (config.rateBytesPerSecond !== undefined) {
    // Datagrams go whole: cutting one would change what the peer receives.
    const stream = config.transport === 'tcp' || config.transport === 'unix';
    source = new (await import('./io/rate.js')).RateLimitedSource(source, config.rateBytesPerSecond, stream);
  }
  return source;
};

/**
 * --sha256/--progress, and --json's byte counts: a meter around stdin and stdout, loaded only
 * when asked for. With --json the meter prints nothing (its lines are not JSON): the summary
 * carries the counts and hashes.
 */
const meterFor = async (config: Config, io: Io, json: boolean): Promise<Meter | undefined> => {
  if (config.mode !== 'connect' && config.mode !== 'listen') return undefined;
  if (config.meter === undefined && !json) return undefined;
  const kind = config.readStdin ? stdioKind(io.stdinFd) : undefined;
  return new (await import('./io/meter.js')).Meter({
    sha256: config.meter?.sha256 === true,
    progress: !json && config.meter?.progress === true,
    live: !json && io.stderrIsTTY === true,
    expectedBytes: kind === 'file' ? fstatSync(io.stdinFd).size : undefined,
    rateLimit: config.rateBytesPerSecond,
    write: json ? () => undefined : (text) => io.writeStderr(text),
    progName: io.progName,
  });
};

const dispatch = async (config: Config, ctx: ModeContext): Promise<number> => {
  if (
    (config.mode === 'listen' || config.mode === 'serve' || config.mode === 'relay') &&
    (config.portFile ?? config.fan) !== undefined
  )
    (await import('./options/extras.js')).checkExtraPaths(config);
  switch (config.mode) {
    case 'listen':
      return listenMode(config, ctx);
    case 'connect':
      return connectMode(config, ctx);
    case 'scan':
      return (await import('./modes/scan.js')).scanMode(config, ctx);
    case 'wait':
      return (await import('./modes/wait.js')).waitMode(config, ctx);
    case 'serve':
      return (await import('./modes/serve.js')).serveMode(config, ctx);
    case 'relay':
      return (await import('./modes/relay.js')).relayMode(config, ctx);
  }
};

/** Run tsnc with these arguments; resolves to the exit status once stdout is flushed. */
export const run = async (argv: readonly string[], io: Io): Promise<number> => {
  const parsed = await parse(argv, io);
  if (typeof parsed === 'number') return parsed;
  const { command, json } = parsed;
  const stdout = new StdoutSink(openOutput(io.stdoutFd, stdioKind(io.stdoutFd)));
  if (command.kind !== 'run') {
    // yargs (behind -h) and the completion scripts are loaded only when asked for.
    const text =
      command.kind === 'help'
        ? await (await import('./options/help.js')).helpText(io.progName, VERSION)
        : command.kind === 'completion'
          ? (await import('./options/completion.js')).completionScript(command.shell, io.progName)
          : `tsnc ${VERSION}\n`;
    stdout.write(Buffer.from(text));
    await stdout.flush();
    return EXIT.ok;
  }

  // --json reports everything -v would (in its own form): it implies -v.
  const config = json ? { ...command.config, verbose: true } : command.config;
  const meter = await meterFor(config, io, json);
  const verifier =
    (config.mode === 'connect' || config.mode === 'listen') && config.verify === true
      ? new (await import('./io/verify.js')).Verifier()
      : undefined;
  // The meter counts the payload only: the verifier's trailer is added outside it.
  let stdin = await stdinFor(config, io);
  let sink: Sink = stdout;
  if (meter !== undefined) [stdin, sink] = [meter.source(stdin), meter.sink(sink)];
  if (verifier !== undefined) [stdin, sink] = [verifier.source(stdin), verifier.sink(sink)];
  const source = stdin;
  const report: JsonReport | undefined = json
    ? new (await import('./report.js')).JsonReport({
        config,
        write: (text) => io.writeStderr(text),
        meter,
        stdinEnded: () => source.ended,
      })
    : undefined;
  if (report !== undefined) io.setLastWords?.((death) => report.die(death));
  const ctx: ModeContext = report
    ? {
        stdin,
        stdout: sink,
        // Only JSON on stderr: diagnostics become error events, -v lines their own events.
        warn: (text) => report.error(text),
        info: () => undefined,
        note: (text) => report.error(text),
        event: (event) => {
          // A failed --verify hands its held-back bytes to stdout now, so that the session's
          // counts are those of the summary and of stdout.
          if (event.event === 'closed') verifier?.finish();
          report.event(event);
        },
      }
    : {
        stdin,
        stdout: sink,
        warn: (text) => io.writeStderr(`${io.progName}: ${text}\n`),
        info: (text) => {
          if (config.verbose) io.writeStderr(`${text}\n`);
        },
        note: (text) => io.writeStderr(`${text}\n`),
      };
  /** The exit status, once known (not after an unexpected error: cli.ts reports that). */
  let status: number | undefined;
  try {
    status = await dispatch(config, ctx);
    const unverified = verifier?.finish();
    if (unverified !== undefined) {
      ctx.warn(unverified);
      status = EXIT.failure;
    }
    if (stdout.failure !== undefined) {
      ctx.warn(messages.stdoutFailed(errnoText(stdout.failure)));
      status = EXIT.failure;
    }
    return status;
  } catch (error) {
    if (error instanceof TsncError) {
      ctx.warn(error.message);
      status = error.exitCode;
      return status;
    }
    throw error;
  } finally {
    await stdout.flush();
    if (status !== undefined) report?.summary(status);
    meter?.finish();
  }
};
