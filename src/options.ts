import yargs from 'yargs';
import type { Command, Config, ShutdownPolicy } from './config.js';
import { EXIT_TABLE, UsageError } from './errors.js';
import { getopt, type GetoptSpec } from './getopt.js';
import { messages } from './messages.js';
import { parseListenPort, parsePort, parsePortSpec } from './net/port.js';
import { systemServices, type ServiceTable } from './net/services.js';

interface OptionSpec extends GetoptSpec {
  readonly type: 'boolean' | 'count' | 'string';
  readonly valueName?: string;
  readonly help: string;
}

/** Every option tsnc knows: getopt, yargs, --help and the README table are all made from this. */
export const OPTIONS: readonly OptionSpec[] = [
  { key: 'family', short: '4', takesValue: false, type: 'string', impliedValue: '4', help: 'Use IPv4 only' },
  { key: 'family', short: '6', takesValue: false, type: 'string', impliedValue: '6', help: 'Use IPv6 only' },
  { key: 'noStdin', short: 'd', takesValue: false, type: 'boolean', help: 'Do not read from stdin' },
  {
    key: 'help',
    short: 'h',
    long: 'help',
    takesValue: false,
    type: 'boolean',
    help: 'Print this help and exit',
  },
  {
    key: 'keep',
    short: 'k',
    takesValue: false,
    type: 'boolean',
    help: 'Keep listening for another connection after each one ends (with -l)',
  },
  {
    key: 'listen',
    short: 'l',
    takesValue: false,
    type: 'boolean',
    help: 'Listen for an incoming connection',
  },
  {
    key: 'shutdownAlways',
    short: 'N',
    takesValue: false,
    type: 'boolean',
    help: 'Always shut down the network socket (send FIN) after EOF on stdin',
  },
  { key: 'numeric', short: 'n', takesValue: false, type: 'boolean', help: 'Numeric addresses only, no DNS' },
  {
    key: 'port',
    short: 'p',
    takesValue: true,
    type: 'string',
    valueName: 'port',
    help: 'Local port: the port to listen on with -l, else the source port',
  },
  {
    key: 'quit',
    short: 'q',
    takesValue: true,
    type: 'string',
    valueName: 'seconds',
    help: 'After EOF on stdin, send FIN and quit when the peer ends or after this many seconds (negative: wait for the peer)',
  },
  {
    key: 'source',
    short: 's',
    takesValue: true,
    type: 'string',
    valueName: 'sourceaddr',
    help: 'Local address: the address to listen on with -l, else the source address',
  },
  {
    key: 'verbose',
    short: 'v',
    takesValue: false,
    type: 'count',
    help: 'Verbose: report connections on stderr',
  },
  {
    key: 'wait',
    short: 'w',
    takesValue: true,
    type: 'string',
    valueName: 'timeout',
    help: 'Connect timeout, and idle timeout once connected, in seconds',
  },
  {
    key: 'noShutdown',
    long: 'no-shutdown',
    takesValue: false,
    type: 'boolean',
    help: 'Never send FIN at EOF on stdin (plain nc.openbsd behaviour)',
  },
  { key: 'version', long: 'version', takesValue: false, type: 'boolean', help: 'Print the version and exit' },
];

/** What the command line says, before any meaning is given to it. */
export interface RawArgs {
  readonly family?: string;
  readonly noStdin: boolean;
  readonly help: boolean;
  readonly keep: boolean;
  readonly listen: boolean;
  readonly shutdownAlways: boolean;
  readonly numeric: boolean;
  readonly port?: string;
  readonly quit?: string;
  readonly source?: string;
  readonly verbose: number;
  readonly wait?: string;
  readonly noShutdown: boolean;
  readonly version: boolean;
  readonly operands: readonly string[];
}

/** Split and type argv: getopt's rules first, then the yargs spec over the canonical tokens. */
export const parseArgs = (argv: readonly string[]): RawArgs => {
  const { options, operands } = getopt(argv, OPTIONS);
  const parser = yargs(options)
    .parserConfiguration({
      'boolean-negation': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'duplicate-arguments-array': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'short-option-groups': false,
    })
    .help(false)
    .version(false)
    .exitProcess(false);
  for (const o of OPTIONS) parser.option(o.key, { type: o.type });
  const parsed = parser.parseSync() as Record<string, unknown>;
  return {
    family: parsed['family'] as string | undefined,
    noStdin: parsed['noStdin'] === true,
    help: parsed['help'] === true,
    keep: parsed['keep'] === true,
    listen: parsed['listen'] === true,
    shutdownAlways: parsed['shutdownAlways'] === true,
    numeric: parsed['numeric'] === true,
    port: parsed['port'] as string | undefined,
    quit: parsed['quit'] as string | undefined,
    source: parsed['source'] as string | undefined,
    verbose: typeof parsed['verbose'] === 'number' ? parsed['verbose'] : 0,
    wait: parsed['wait'] as string | undefined,
    noShutdown: parsed['noShutdown'] === true,
    version: parsed['version'] === true,
    operands,
  };
};

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** strtonum(3) as nc uses it: an integer in [min, max], else "invalid" / "too small" / "too large". */
const strtonum = (text: string, min: number, max: number): number | string => {
  if (!/^-?\d+$/.test(text)) return 'invalid';
  const value = Number(text);
  if (value < min) return 'too small';
  if (value > max) return 'too large';
  return value;
};

const seconds = (
  text: string | undefined,
  min: number,
  max: number,
  error: (p: string, t: string) => string,
) => {
  if (text === undefined) return undefined;
  const value = strtonum(text, min, max);
  if (typeof value === 'string') throw new UsageError(error(value, text), false);
  return value;
};

const shutdownPolicy = (raw: RawArgs, quitSeconds: number | undefined): ShutdownPolicy => {
  if (raw.noShutdown) {
    if (raw.shutdownAlways) throw new UsageError('cannot use -N and --no-shutdown together', false);
    return 'never';
  }
  return raw.shutdownAlways || (quitSeconds !== undefined && quitSeconds >= 0) ? 'always' : 'auto';
};

/**
 * Give the raw arguments their meaning. Pure, and every conflict is found here, before any
 * socket exists (the order of nc.openbsd's main()).
 */
export const resolveConfig = (raw: RawArgs, services: ServiceTable = systemServices()): Command => {
  if (raw.help) return { kind: 'help' };
  if (raw.version) return { kind: 'version' };
  if (raw.keep && !raw.listen) throw new UsageError(messages.keepNeedsListen(), false);

  // -w: INT_MAX / 1000 as in nc.openbsd; 0 means no timeout.
  const waitSeconds = seconds(raw.wait, 0, Math.floor(INT_MAX / 1000), messages.timeoutInvalid);
  const quitSeconds = seconds(raw.quit, INT_MIN, INT_MAX, messages.quitTimerInvalid);
  const timeoutMs = waitSeconds === undefined || waitSeconds === 0 ? undefined : waitSeconds * 1000;
  const common = {
    family: raw.family === '4' ? 4 : raw.family === '6' ? 6 : undefined,
    numeric: raw.numeric,
    verbose: raw.verbose > 0,
    readStdin: !raw.noStdin,
    shutdown: shutdownPolicy(raw, quitSeconds),
    quitAfterEofMs: quitSeconds !== undefined && quitSeconds >= 0 ? quitSeconds * 1000 : undefined,
    idleTimeoutMs: timeoutMs,
  } as const;

  const { operands } = raw;
  let config: Config;
  if (raw.listen) {
    if (operands.length > 2 || (operands.length === 2 && raw.port !== undefined)) {
      throw new UsageError(messages.tooManyArguments(), true);
    }
    let address: string | undefined;
    let portText = raw.port;
    if (operands.length === 2) [address, portText] = operands;
    else if (operands.length === 1 && raw.port === undefined) portText = operands[0];
    else if (operands.length === 1) address = operands[0];
    if (address !== undefined && raw.source !== undefined) {
      throw new UsageError(messages.listenOneAddress(), false);
    }
    if (portText === undefined) throw new UsageError(messages.missingPort(), false);
    config = {
      ...common,
      mode: 'listen',
      bindAddress: address ?? raw.source,
      port: parseListenPort(portText, services),
      keepListening: raw.keep,
    };
  } else {
    const [host, ...portTexts] = operands;
    if (host === undefined) throw new UsageError('', true);
    if (portTexts.length === 0) throw new UsageError(messages.missingPort(), false);
    config = {
      ...common,
      mode: 'connect',
      host,
      ports: portTexts.flatMap((text) => parsePortSpec(text, services)),
      sourceAddress: raw.source,
      sourcePort: raw.port === undefined ? undefined : parsePort(raw.port, services),
      connectTimeoutMs: timeoutMs,
    };
  }
  return { kind: 'run', config };
};

/** The one-paragraph usage nc prints after a command-line error. */
export const usageText = (prog: string): string => {
  const flags = OPTIONS.filter((o) => o.short !== undefined && !o.takesValue)
    .map((o) => o.short)
    .sort((a, b) => (a ?? '').localeCompare(b ?? '', 'en', { caseFirst: 'upper' }))
    .join('');
  const valued = OPTIONS.filter((o) => o.short !== undefined && o.takesValue)
    .map((o) => `[-${o.short} ${o.valueName}]`)
    .join(' ');
  return `usage: ${prog} [-${flags}] ${valued}\n\t  [--no-shutdown] [destination] [port]\n`;
};

/** The full -h text: banner, usage, every option, the exit codes. */
export const helpText = (prog: string, version: string): string => {
  const rows = OPTIONS.map((o) => {
    const names = [o.short && `-${o.short}`, o.long && `--${o.long}`].filter(Boolean).join(', ');
    return [o.valueName === undefined ? names : `${names} ${o.valueName}`, o.help] as const;
  });
  const width = Math.max(...rows.map(([names]) => names.length)) + 2;
  const lines = rows.map(([names, help]) => `\t${names.padEnd(width)}${help}`);
  const exits = EXIT_TABLE.map(([code, meaning]) => `\t${code.padEnd(width)}${meaning}`);
  return [
    `tsnc ${version}: a netcat that never hangs at the end of a transfer`,
    usageText(prog).trimEnd(),
    '\tCommand Summary:',
    ...lines,
    'Exit status:',
    ...exits,
    '',
  ].join('\n');
};
