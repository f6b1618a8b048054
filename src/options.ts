import yargsParser from 'yargs-parser';
import { splitCommandLine } from './command-line.js';
import type {
  AccessSpec,
  Command,
  Config,
  ExecSpec,
  Family,
  ProxySpec,
  ScanConfig,
  ShutdownPolicy,
  SocketOptions,
  TlsSpec,
  Transport,
  WaitConfig,
} from './config.js';
import { COMPLETION_SHELLS } from './config.js';
import { UsageError } from './errors.js';
import { getopt, type GetoptSpec } from './getopt.js';
import { messages } from './messages.js';
import { parseAddressSpec, splitAddressList } from './net/address-spec.js';
import { parseListenPort, parsePort, parsePortSpec } from './net/port.js';
import { systemServices, type ServiceTable } from './net/services.js';
import { parseTos } from './net/tos.js';
import { relayTarget } from './relay-options.js';
import { extraOptions } from './extra-options.js';
import { isName, parseDuration, parseExpect, parseSendData, parseTargets } from './wait-options.js';

interface OptionSpec extends GetoptSpec {
  /** 'list': may be given again, every value counts (--allow a --allow b). */
  readonly type: 'boolean' | 'count' | 'string' | 'list';
  readonly valueName?: string;
  readonly help: string;
}

/** Every option tsnc knows: getopt, yargs-parser, --help and the README table are all made from this. */
export const OPTIONS: readonly OptionSpec[] = [
  { key: 'family', short: '4', takesValue: false, type: 'string', impliedValue: '4', help: 'Use IPv4 only' },
  { key: 'family', short: '6', takesValue: false, type: 'string', impliedValue: '6', help: 'Use IPv6 only' },
  { key: 'broadcast', short: 'b', takesValue: false, type: 'boolean', help: 'Allow broadcast (UDP)' },
  {
    key: 'crlf',
    short: 'C',
    long: 'crlf',
    takesValue: false,
    type: 'boolean',
    help: 'Send CRLF as line ending: each LF from stdin goes out as CRLF (an existing CRLF is kept)',
  },
  {
    key: 'shellCommand',
    short: 'c',
    long: 'sh-exec',
    takesValue: true,
    type: 'string',
    valueName: 'command',
    help: 'Run the command with /bin/sh -c; its stdin and stdout are the connection (not in nc.openbsd)',
  },
  { key: 'noStdin', short: 'd', takesValue: false, type: 'boolean', help: 'Do not read from stdin' },
  {
    key: 'exec',
    short: 'e',
    long: 'exec',
    takesValue: true,
    type: 'string',
    valueName: 'program',
    help: 'Run the program (arguments split like shell words, quotes honoured, no shell); its stdin and stdout are the connection (not in nc.openbsd)',
  },
  {
    key: 'help',
    short: 'h',
    long: 'help',
    takesValue: false,
    endsParsing: true,
    type: 'boolean',
    help: 'Print this help and exit (what follows it on the command line is not read, as nc)',
  },
  {
    key: 'recvBuffer',
    short: 'I',
    takesValue: true,
    type: 'string',
    valueName: 'length',
    help: 'Receive buffer size (SO_RCVBUF)',
  },
  {
    key: 'interval',
    short: 'i',
    takesValue: true,
    type: 'string',
    valueName: 'interval',
    help: 'Wait this many seconds after each line sent',
  },
  {
    key: 'keep',
    short: 'k',
    takesValue: false,
    type: 'boolean',
    help: 'Keep listening for another connection after each one ends (with -l); with -e/-c, serve clients at once',
  },
  {
    key: 'listen',
    short: 'l',
    takesValue: false,
    type: 'boolean',
    help: 'Listen for an incoming connection',
  },
  {
    key: 'maxConns',
    short: 'm',
    long: 'max-conns',
    takesValue: true,
    type: 'string',
    valueName: 'n',
    help: 'With -l: at most n clients at once, the excess is refused (default 100; not in nc.openbsd, where -m is minttl)',
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
    key: 'sendBuffer',
    short: 'O',
    takesValue: true,
    type: 'string',
    valueName: 'length',
    help: 'Send buffer size (SO_SNDBUF)',
  },
  {
    key: 'proxyUser',
    short: 'P',
    takesValue: true,
    type: 'string',
    valueName: 'proxy_username',
    help: 'User for HTTP CONNECT proxy authentication; the password is asked on the terminal',
  },
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
    key: 'randomPorts',
    short: 'r',
    takesValue: false,
    type: 'boolean',
    help: 'Try the ports of a range in random order',
  },
  {
    key: 'source',
    short: 's',
    takesValue: true,
    type: 'string',
    valueName: 'sourceaddr',
    help: 'Local address: the address to listen on with -l, else the source address; with -U -u the client socket path',
  },
  {
    key: 'tos',
    short: 'T',
    takesValue: true,
    type: 'string',
    valueName: 'keyword',
    help: 'IP ToS / DSCP (af11..af43, cs0..cs7, ef, lowdelay, throughput, reliability, 0xNN)',
  },
  {
    key: 'telnet',
    short: 't',
    takesValue: false,
    type: 'boolean',
    help: 'Answer telnet negotiation (by refusing every option)',
  },
  {
    key: 'unix',
    short: 'U',
    takesValue: false,
    type: 'boolean',
    help: 'Use a unix domain socket (a path, or @name: abstract); with -u a datagram socket',
  },
  { key: 'udp', short: 'u', takesValue: false, type: 'boolean', help: 'UDP instead of TCP' },
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
    key: 'proxyProtocol',
    short: 'X',
    takesValue: true,
    type: 'string',
    valueName: 'proxy_protocol',
    help: 'Proxy protocol: 4 (SOCKS4), 5 (SOCKS5, the default) or connect (HTTP CONNECT)',
  },
  {
    key: 'proxy',
    short: 'x',
    takesValue: true,
    type: 'string',
    valueName: 'proxy_address[:port]',
    help: 'Connect through this proxy (port default: 1080 for SOCKS, 3128 for connect)',
  },
  {
    key: 'scan',
    short: 'z',
    takesValue: false,
    type: 'boolean',
    help: 'Zero-I/O mode: report whether ports are open',
  },
  {
    key: 'allow',
    long: 'allow',
    takesValue: true,
    type: 'list',
    valueName: 'hosts',
    help: 'With -l: accept only these peers (addresses, CIDR networks, host names; comma-separated)',
  },
  {
    key: 'allowFile',
    long: 'allowfile',
    takesValue: true,
    type: 'list',
    valueName: 'file',
    help: 'With -l: accept only the peers listed in this file',
  },
  {
    key: 'deny',
    long: 'deny',
    takesValue: true,
    type: 'list',
    valueName: 'hosts',
    help: 'With -l: refuse these peers (addresses, CIDR networks, host names; comma-separated)',
  },
  {
    key: 'denyFile',
    long: 'denyfile',
    takesValue: true,
    type: 'list',
    valueName: 'file',
    help: 'With -l: refuse the peers listed in this file',
  },
  {
    key: 'noShutdown',
    long: 'no-shutdown',
    takesValue: false,
    type: 'boolean',
    help: 'Never send FIN at EOF on stdin (plain nc.openbsd behaviour)',
  },
  {
    key: 'recvOnly',
    long: 'recv-only',
    takesValue: false,
    type: 'boolean',
    help: 'Only receive: do not read stdin (ncat; the same as -d)',
  },
  {
    key: 'sendOnly',
    long: 'send-only',
    takesValue: false,
    type: 'boolean',
    help: "Only send: drop what the peer sends; FIN once stdin is sent, exit at the peer's EOF (ncat exits at once)",
  },
  {
    key: 'version',
    long: 'version',
    takesValue: false,
    endsParsing: true,
    type: 'boolean',
    help: 'Print the version and exit (what follows it on the command line is not read)',
  },
  {
    key: 'completion',
    long: 'completion',
    takesValue: true,
    type: 'string',
    valueName: 'shell',
    help: 'Print the completion script for this shell (bash, zsh or fish) and exit',
  },
  {
    key: 'waitFor',
    long: 'wait',
    takesValue: false,
    type: 'boolean',
    help: 'Wait mode: retry until every HOST PORT (or host:port) target accepts a connection, or the --timeout passes',
  },
  {
    key: 'waitTimeout',
    long: 'timeout',
    takesValue: true,
    type: 'string',
    valueName: 'duration',
    help: 'With --wait: give up after this long (500ms, 60s, 2m, 1h; a bare number is seconds; default 60s)',
  },
  {
    key: 'waitInterval',
    long: 'interval',
    takesValue: true,
    type: 'string',
    valueName: 'duration',
    help: 'With --wait or --retry: time between the starts of two attempts at one target (default 1s)',
  },
  {
    key: 'probeSend',
    long: 'send',
    takesValue: true,
    type: 'string',
    valueName: 'data',
    help: 'With --wait: send this once connected (escapes \\r \\n \\t \\0 \\\\ \\xHH)',
  },
  {
    key: 'probeExpect',
    long: 'expect',
    takesValue: true,
    type: 'string',
    valueName: 'regex',
    help: 'With --wait: a target is ready only once what it sends matches this regular expression',
  },
  {
    key: 'serveFile',
    long: 'serve',
    takesValue: true,
    type: 'string',
    valueName: 'file',
    help: 'With -l: send this file to every client, concurrently, then FIN (keeps listening)',
  },
  {
    key: 'serveCount',
    long: 'count',
    takesValue: true,
    type: 'string',
    valueName: 'n',
    help: 'With --serve: accept n clients, then stop listening and exit once they are served',
  },
  {
    key: 'relay',
    long: 'relay',
    takesValue: true,
    type: 'string',
    valueName: 'target',
    help: 'With -l: forward every client to its own new connection to target (host:port, tls://host:port, unix:/path; -u: host:port)',
  },
  {
    key: 'sha256',
    long: 'sha256',
    takesValue: false,
    type: 'boolean',
    help: 'At the end, print the byte count and sha256 of what was sent and of what was received (stderr)',
  },
  {
    key: 'progress',
    long: 'progress',
    takesValue: false,
    type: 'boolean',
    help: 'Show progress on stderr: a live line on a terminal, else a summary line at the end',
  },
  {
    key: 'verify',
    long: 'verify',
    takesValue: false,
    type: 'boolean',
    help: 'Both ends tsnc: send a length and sha256 trailer after stdin; exit 1 if what arrives is short or corrupt',
  },
  {
    key: 'json',
    long: 'json',
    takesValue: false,
    type: 'boolean',
    help: 'Report on stderr as JSON lines only: every -v event, each error, and a summary (docs/json.md)',
  },
  {
    key: 'ssl',
    long: 'ssl',
    takesValue: false,
    type: 'boolean',
    help: 'TLS over TCP or -U (implied by every --ssl-* option); a client verifies the server certificate',
  },
  {
    key: 'sslCert',
    long: 'ssl-cert',
    takesValue: true,
    type: 'string',
    valueName: 'file',
    help: 'TLS certificate (PEM): the server’s with -l (without it an ephemeral one is made); a client sends it if asked',
  },
  {
    key: 'sslKey',
    long: 'ssl-key',
    takesValue: true,
    type: 'string',
    valueName: 'file',
    help: 'Private key (PEM) of --ssl-cert',
  },
  {
    key: 'sslTrustfile',
    long: 'ssl-trustfile',
    takesValue: true,
    type: 'string',
    valueName: 'file',
    help: 'Client: also trust the CA certificates (PEM) in this file',
  },
  {
    key: 'sslServername',
    long: 'ssl-servername',
    takesValue: true,
    type: 'string',
    valueName: 'name',
    help: 'Client: send this name (SNI) and check the certificate against it instead of the host',
  },
  {
    key: 'sslInsecure',
    long: 'ssl-insecure',
    takesValue: false,
    type: 'boolean',
    help: 'Client: do not verify the server certificate at all',
  },
  {
    key: 'sslPin',
    long: 'ssl-pin',
    takesValue: true,
    type: 'string',
    valueName: 'sha256:hex',
    help: 'Client: accept only the server certificate with this sha256 fingerprint (instead of CA checks)',
  },
  {
    key: 'retry',
    long: 'retry',
    takesValue: true,
    type: 'string',
    valueName: 'duration',
    help: 'Connect mode: retry a refused connection or a name that does not resolve yet, every --interval, for this long; stdin is read only once connected',
  },
  {
    key: 'portFile',
    long: 'port-file',
    takesValue: true,
    type: 'string',
    valueName: 'file',
    help: 'With -l: once listening, write the bound port to this file (atomically); removed at exit',
  },
  {
    key: 'fanOut',
    long: 'fan-out',
    takesValue: false,
    type: 'boolean',
    help: 'With -l -k: serve clients at once; each line of stdin goes to every client, what clients send goes to stdout line by line',
  },
  {
    key: 'fanOutLimit',
    long: 'fan-out-limit',
    takesValue: true,
    type: 'string',
    valueName: 'size',
    help: 'With --fan-out: disconnect a client that is this far behind (default 4M; K, M, G: 1024 multiples)',
  },
  {
    key: 'output',
    short: 'o',
    long: 'output',
    takesValue: true,
    type: 'string',
    valueName: 'template',
    help: "With -l -k: serve clients at once, each one's bytes to its own file (%n: connection number, %a: peer address, %%: %)",
  },
  {
    key: 'rate',
    long: 'rate',
    takesValue: true,
    type: 'string',
    valueName: 'rate',
    help: 'Send at most this many bytes per second (10M, 512K; K, M, G: 1024 multiples), like pv -L',
  },
];

/** What the command line says, before any meaning is given to it. */
export interface RawArgs {
  readonly family?: string;
  readonly broadcast: boolean;
  readonly crlf: boolean;
  readonly shellCommand?: string;
  readonly noStdin: boolean;
  readonly exec?: string;
  readonly help: boolean;
  readonly recvBuffer?: string;
  readonly interval?: string;
  readonly keep: boolean;
  readonly listen: boolean;
  readonly maxConns?: string;
  readonly shutdownAlways: boolean;
  readonly numeric: boolean;
  readonly sendBuffer?: string;
  readonly proxyUser?: string;
  readonly port?: string;
  readonly quit?: string;
  readonly randomPorts: boolean;
  readonly source?: string;
  readonly tos?: string;
  readonly telnet: boolean;
  readonly unix: boolean;
  readonly udp: boolean;
  readonly verbose: number;
  readonly wait?: string;
  readonly proxyProtocol?: string;
  readonly proxy?: string;
  readonly scan: boolean;
  readonly allow: readonly string[];
  readonly allowFile: readonly string[];
  readonly deny: readonly string[];
  readonly denyFile: readonly string[];
  readonly noShutdown: boolean;
  readonly recvOnly: boolean;
  readonly sendOnly: boolean;
  readonly version: boolean;
  readonly completion?: string;
  readonly waitFor: boolean;
  readonly waitTimeout?: string;
  readonly waitInterval?: string;
  readonly probeSend?: string;
  readonly probeExpect?: string;
  readonly serveFile?: string;
  readonly serveCount?: string;
  readonly relay?: string;
  readonly sha256: boolean;
  readonly progress: boolean;
  readonly verify: boolean;
  readonly json: boolean;
  readonly ssl: boolean;
  readonly sslCert?: string;
  readonly sslKey?: string;
  readonly sslTrustfile?: string;
  readonly sslServername?: string;
  readonly sslInsecure: boolean;
  readonly sslPin?: string;
  readonly retry?: string;
  readonly portFile?: string;
  readonly fanOut: boolean;
  readonly fanOutLimit?: string;
  readonly output?: string;
  readonly rate?: string;
  readonly operands: readonly string[];
}

/** Split and type argv: getopt's rules first, then yargs-parser over the canonical tokens. */
export const parseArgs = (argv: readonly string[]): RawArgs => {
  const { options, operands } = getopt(argv, OPTIONS);
  // Only the options given are typed: yargs-parser's set-up is per key, at every start.
  const given = new Set(options.map((token) => token.slice(2).split('=', 1)[0]));
  const keysOfType = (type: OptionSpec['type']): string[] =>
    OPTIONS.filter((o) => o.type === type && given.has(o.key)).map((o) => o.key);
  // yargs' own parser (the full yargs costs 12 ms more at every start, for help screens tsnc
  // does not use). The tokens are canonical by now, so nothing in them is ambiguous.
  const parsed = yargsParser([...options], {
    boolean: keysOfType('boolean'),
    count: keysOfType('count'),
    string: [...keysOfType('string'), ...keysOfType('list')],
    configuration: {
      'boolean-negation': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'duplicate-arguments-array': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'short-option-groups': false,
    },
  }) as Record<string, unknown>;
  const text = (key: string): string | undefined => parsed[key] as string | undefined;
  const flag = (key: string): boolean => parsed[key] === true;
  // Every occurrence of a list option counts; yargs would keep only the last.
  const list = (key: string): string[] =>
    options.filter((token) => token.startsWith(`--${key}=`)).map((token) => token.slice(key.length + 3));
  return {
    family: text('family'),
    broadcast: flag('broadcast'),
    crlf: flag('crlf'),
    shellCommand: text('shellCommand'),
    noStdin: flag('noStdin'),
    exec: text('exec'),
    help: flag('help'),
    recvBuffer: text('recvBuffer'),
    interval: text('interval'),
    keep: flag('keep'),
    listen: flag('listen'),
    maxConns: text('maxConns'),
    shutdownAlways: flag('shutdownAlways'),
    numeric: flag('numeric'),
    sendBuffer: text('sendBuffer'),
    proxyUser: text('proxyUser'),
    port: text('port'),
    quit: text('quit'),
    randomPorts: flag('randomPorts'),
    source: text('source'),
    tos: text('tos'),
    telnet: flag('telnet'),
    unix: flag('unix'),
    udp: flag('udp'),
    verbose: typeof parsed['verbose'] === 'number' ? parsed['verbose'] : 0,
    wait: text('wait'),
    proxyProtocol: text('proxyProtocol'),
    proxy: text('proxy'),
    scan: flag('scan'),
    allow: list('allow'),
    allowFile: list('allowFile'),
    deny: list('deny'),
    denyFile: list('denyFile'),
    noShutdown: flag('noShutdown'),
    recvOnly: flag('recvOnly'),
    sendOnly: flag('sendOnly'),
    version: flag('version'),
    completion: text('completion'),
    waitFor: flag('waitFor'),
    waitTimeout: text('waitTimeout'),
    waitInterval: text('waitInterval'),
    probeSend: text('probeSend'),
    probeExpect: text('probeExpect'),
    serveFile: text('serveFile'),
    serveCount: text('serveCount'),
    relay: text('relay'),
    sha256: flag('sha256'),
    progress: flag('progress'),
    verify: flag('verify'),
    json: flag('json'),
    ssl: flag('ssl'),
    sslCert: text('sslCert'),
    sslKey: text('sslKey'),
    sslTrustfile: text('sslTrustfile'),
    sslServername: text('sslServername'),
    sslInsecure: flag('sslInsecure'),
    sslPin: text('sslPin'),
    retry: text('retry'),
    portFile: text('portFile'),
    fanOut: flag('fanOut'),
    fanOutLimit: text('fanOutLimit'),
    output: text('output'),
    rate: text('rate'),
    operands,
  };
};

const INT_MAX = 2147483647;
const MAX_TIMER_MS = 2 ** 31 - 1;
const INT_MIN = -2147483648;
/** nc.openbsd's bound for -I and -O. */
const MAX_WINDOW = 65536 << 14;
/** ncat's default for --max-conns. */
const DEFAULT_MAX_CONNS = 100;
/** --relay -u: how long an association lives without a datagram, without -w. */
const DEFAULT_ASSOCIATION_IDLE_MS = 60_000;

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
    if (raw.sendOnly) throw new UsageError(messages.cannotCombine('--send-only', '--no-shutdown'), false);
    return 'never';
  }
  return raw.shutdownAlways || raw.sendOnly || (quitSeconds !== undefined && quitSeconds >= 0)
    ? 'always'
    : 'auto';
};

const fail = (message: string): never => {
  throw new UsageError(message, false);
};

/** -e PROG ARGS (split, no shell) or -c 'shell command' (via /bin/sh -c). */
const execSpec = (raw: RawArgs): ExecSpec | undefined => {
  if (raw.exec !== undefined && raw.shellCommand !== undefined) fail(messages.cannotCombine('-e', '-c'));
  if (raw.shellCommand !== undefined) {
    if (raw.shellCommand.trim() === '') fail(messages.missingProgram('-c'));
    return { file: '/bin/sh', args: ['-c', raw.shellCommand] };
  }
  if (raw.exec === undefined) return undefined;
  const words = splitCommandLine(raw.exec) ?? fail(messages.unbalancedQuote(raw.exec));
  const [file, ...args] = words;
  if (file === undefined || file === '') return fail(messages.missingProgram('-e'));
  return { file, args };
};

/** -x ADDR[:PORT] (or [V6ADDR]:PORT) with -X and -P, as nc.openbsd's main() splits them. */
const proxySpec = (raw: RawArgs, services: ServiceTable): ProxySpec | undefined => {
  let protocol: ProxySpec['protocol'] = 'socks5';
  if (raw.proxyProtocol !== undefined) {
    if (raw.proxyProtocol.toLowerCase() === 'connect') protocol = 'connect';
    else if (raw.proxyProtocol === '4') protocol = 'socks4';
    else if (raw.proxyProtocol === '5') protocol = 'socks5';
    else fail(messages.proxyProtocolUnsupported());
  }
  if (raw.proxy === undefined) return undefined;
  if (raw.udp) fail(messages.proxyUnsupported('UDP mode'));
  if (raw.listen) fail(messages.proxyUnsupported('listen'));
  if (raw.unix) fail(messages.proxyUnsupported('unix sockets'));
  if (raw.source !== undefined) fail(messages.proxyUnsupported('local source address'));
  let host = raw.proxy;
  let portText: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close === -1) fail(messages.proxyMissingBracket());
    const rest = host.slice(close + 1);
    host = host.slice(1, close);
    if (rest !== '') {
      if (!rest.startsWith(':')) fail(messages.proxyPortDelimiter());
      portText = rest.slice(1);
    }
  } else if (host.includes(':')) {
    portText = host.slice(host.lastIndexOf(':') + 1);
    host = host.slice(0, host.lastIndexOf(':'));
  }
  // nc.openbsd's defaults when no port is given (socks.c): ssh configs rely on them.
  const port =
    portText === undefined ? (protocol === 'connect' ? 3128 : 1080) : parsePort(portText, services);
  return { protocol, host, port, user: raw.proxyUser };
};

/** --allow/--deny and their files; the entries are checked here, the files when listening starts. */
const accessSpec = (raw: RawArgs): AccessSpec | undefined => {
  const used = [
    ['--allow', raw.allow],
    ['--allowfile', raw.allowFile],
    ['--deny', raw.deny],
    ['--denyfile', raw.denyFile],
  ] as const;
  const given = used.find(([, values]) => values.length > 0);
  if (given === undefined) return undefined;
  if (!raw.listen) fail(messages.needsListen(given[0]));
  if (raw.unix) fail(messages.cannotCombine(given[0], '-U'));
  for (const [option, values] of [used[0], used[2]]) {
    // An empty --allow "$TRUSTED" must not read as "no --allow" (everyone in): it is an error.
    if (values.some((value) => splitAddressList(value).length === 0)) fail(messages.addressListEmpty(option));
    for (const entry of values.flatMap(splitAddressList)) {
      if (parseAddressSpec(entry) === undefined) fail(messages.addressSpecInvalid(option, entry));
      if (raw.numeric && parseAddressSpec(entry)?.kind === 'name') {
        fail(messages.resolveFailed(entry, 'null', 'Name or service not known'));
      }
    }
  }
  return {
    allow: raw.allow.flatMap(splitAddressList),
    deny: raw.deny.flatMap(splitAddressList),
    allowFiles: raw.allowFile,
    denyFiles: raw.denyFile,
  };
};

/** -b -I -O -T, checked here; TCP and -T need the native addon, loaded only when a socket is made. */
const socketOptions = (raw: RawArgs): SocketOptions => {
  const window = (text: string | undefined, error: (p: string, t: string) => string) =>
    text === undefined ? undefined : seconds(text, 1, MAX_WINDOW, error);
  const recvBufferSize = window(raw.recvBuffer, messages.receiveWindowInvalid);
  const sendBufferSize = window(raw.sendBuffer, messages.sendWindowInvalid);
  const tos = raw.tos === undefined ? undefined : parseTos(raw.tos);
  if (raw.tos !== undefined && tos === undefined) fail(messages.tosIllegal(raw.tos));
  return { broadcast: raw.broadcast, recvBufferSize, sendBufferSize, ...(tos === undefined ? {} : { tos }) };
};

/** --ssl-pin: `sha256:` (optional) and 64 hex digits, colons allowed, any case; lower hex without colons. */
export const parsePin = (text: string): string | undefined => {
  const hex = text.replace(/^sha256:/i, '').replace(/:/g, '');
  return /^[0-9a-f]{64}$/i.test(hex) ? hex.toLowerCase() : undefined;
};

/**
 * --ssl and its options. As in ncat, every --ssl-* option implies --ssl. The client options
 * (trust, name, pin, insecure) make no sense for a listener, which never asks for a client
 * certificate: an error rather than ignored.
 */
const tlsSpec = (raw: RawArgs): TlsSpec | undefined => {
  const given = [
    ['--ssl-cert', raw.sslCert],
    ['--ssl-key', raw.sslKey],
    ['--ssl-trustfile', raw.sslTrustfile],
    ['--ssl-servername', raw.sslServername],
    ['--ssl-insecure', raw.sslInsecure ? '' : undefined],
    ['--ssl-pin', raw.sslPin],
  ] as const;
  const first = given.find(([, value]) => value !== undefined);
  if (!raw.ssl && first === undefined) return undefined;
  const option = raw.ssl ? '--ssl' : (first?.[0] ?? '--ssl');
  for (const [other, conflicting] of TLS_CONFLICTS)
    if (conflicting(raw)) fail(messages.cannotCombine(option, other));
  if (raw.sslCert !== undefined && raw.sslKey === undefined)
    fail(messages.needsOption('--ssl-key', '--ssl-cert'));
  if (raw.sslKey !== undefined && raw.sslCert === undefined)
    fail(messages.needsOption('--ssl-cert', '--ssl-key'));
  for (const [name, value] of given.slice(0, 4)) {
    if (value === '') fail(messages.pathFailed(name, 'missing file name'));
  }
  if (raw.listen) {
    for (const [name, value] of given.slice(2))
      if (value !== undefined) fail(messages.cannotCombine(name, '-l'));
  }
  if (raw.sslPin !== undefined) {
    if (raw.sslInsecure) fail(messages.cannotCombine('--ssl-pin', '--ssl-insecure'));
    if (raw.sslTrustfile !== undefined) fail(messages.cannotCombine('--ssl-pin', '--ssl-trustfile'));
  }
  if (raw.sslInsecure && raw.sslTrustfile !== undefined) {
    fail(messages.cannotCombine('--ssl-insecure', '--ssl-trustfile'));
  }
  const pin = raw.sslPin === undefined ? undefined : parsePin(raw.sslPin);
  if (raw.sslPin !== undefined && pin === undefined) fail(messages.pinInvalid(raw.sslPin));
  return {
    certFile: raw.sslCert,
    keyFile: raw.sslKey,
    trustFile: raw.sslTrustfile,
    servername: raw.sslServername,
    insecure: raw.sslInsecure,
    pin,
  };
};

/** -r: the ports of each range in random order (Fisher-Yates, as nc.openbsd's build_ports()). */
const shuffled = (ports: number[]): number[] => {
  for (let i = ports.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [ports[i], ports[j]] = [ports[j] ?? 0, ports[i] ?? 0];
  }
  return ports;
};

/**
 * Give the raw arguments their meaning. Pure, and every conflict is found here, before any
 * socket exists (the order of nc.openbsd's main()).
 */
export const resolveConfig = (raw: RawArgs, services: ServiceTable = systemServices()): Command => {
  if (raw.help) return { kind: 'help' };
  if (raw.version) return { kind: 'version' };
  if (raw.completion !== undefined) {
    const shell = COMPLETION_SHELLS.find((name) => name === raw.completion);
    return { kind: 'completion', shell: shell ?? fail(messages.completionShellUnknown(raw.completion)) };
  }
  if (raw.waitFor) return { kind: 'run', config: waitConfig(raw, services) };
  for (const [option, value] of [
    ['--timeout', raw.waitTimeout],
    ['--interval', raw.retry === undefined ? raw.waitInterval : undefined],
    ['--send', raw.probeSend],
    ['--expect', raw.probeExpect],
  ] as const) {
    if (value !== undefined) fail(messages.needsWait(option));
  }
  if (raw.keep && !raw.listen) throw new UsageError(messages.keepNeedsListen(), false);
  if (raw.relay !== undefined) {
    for (const [option, given] of NOT_WITH_RELAY)
      if (given(raw)) fail(messages.cannotCombine('--relay', option));
  }
  const relay = raw.relay === undefined ? undefined : relayTarget(raw, raw.relay, services, parsePin);
  if (raw.scan && raw.listen) fail(messages.cannotCombine('-z', '-l'));
  if (raw.sendOnly && raw.recvOnly) fail(messages.cannotCombine('--send-only', '--recv-only'));
  if (raw.maxConns !== undefined && !raw.listen) fail(messages.needsListen('-m'));
  const metered = raw.sha256 ? '--sha256' : raw.progress ? '--progress' : undefined;
  for (const used of [metered, raw.verify ? '--verify' : undefined]) {
    if (used === undefined) continue;
    for (const [option, given] of METER_CONFLICTS) if (given(raw)) fail(messages.cannotCombine(used, option));
  }
  if (raw.verify && raw.udp) fail(messages.cannotCombine('--verify', '-u'));
  if (raw.serveCount !== undefined && raw.serveFile === undefined) fail(messages.needsServe('--count'));
  if (raw.serveFile !== undefined) {
    if (!raw.listen) fail(messages.needsListen('--serve'));
    if (raw.udp) fail(messages.cannotCombine('--serve', '-u'));
    if (raw.exec !== undefined) fail(messages.cannotCombine('--serve', '-e'));
    if (raw.shellCommand !== undefined) fail(messages.cannotCombine('--serve', '-c'));
    if (raw.serveFile === '') fail(messages.pathFailed('--serve', 'missing file name'));
  }

  const extras = extraOptions(raw);

  // -w: INT_MAX / 1000 as in nc.openbsd; 0 means no timeout.
  const waitSeconds = seconds(raw.wait, 0, Math.floor(INT_MAX / 1000), messages.timeoutInvalid);
  const quitSeconds = seconds(raw.quit, INT_MIN, INT_MAX, messages.quitTimerInvalid);
  const intervalSeconds = seconds(raw.interval, 0, Math.floor(INT_MAX / 1000), messages.intervalInvalid);
  const maxConnections = seconds(raw.maxConns, 1, INT_MAX, messages.maxConnsInvalid) ?? DEFAULT_MAX_CONNS;
  const serveCount = seconds(raw.serveCount, 1, INT_MAX, messages.countInvalid);
  const timeoutMs = waitSeconds === undefined || waitSeconds === 0 ? undefined : waitSeconds * 1000;
  const exec = execSpec(raw);
  if (exec !== undefined && raw.scan)
    fail(messages.cannotCombine('-z', raw.exec === undefined ? '-c' : '-e'));
  const proxy = proxySpec(raw, services);
  const access = accessSpec(raw);
  // With --relay the client --ssl-* options belong to a tls:// target: --ssl is the listener's.
  const tls = tlsSpec(
    relay === undefined
      ? raw
      : { ...raw, sslTrustfile: undefined, sslServername: undefined, sslInsecure: false, sslPin: undefined },
  );
  const transport: Transport = raw.unix ? (raw.udp ? 'unix-dgram' : 'unix') : raw.udp ? 'udp' : 'tcp';
  const proto = raw.udp ? 'udp' : 'tcp';
  const family = raw.family === '4' ? 4 : raw.family === '6' ? 6 : undefined;
  // Node's timers hold at most 2^31-1 ms (24.8 days); a larger -q is "wait for the peer" in effect.
  // --send-only does not quit at stdin's EOF as ncat does: closing while the peer still sends makes
  // the kernel answer with a reset, which throws away what it has not yet sent of ours. It sends
  // FIN and drops what comes until the peer's EOF (or -q, -w).
  const quitAfterEofMs =
    quitSeconds !== undefined && quitSeconds >= 0 ? Math.min(quitSeconds * 1000, MAX_TIMER_MS) : undefined;
  const common = {
    transport,
    family,
    numeric: raw.numeric,
    verbose: raw.verbose > 0,
    // -o without --fan-out: clients only send, stdin is not read.
    readStdin: !raw.noStdin && !raw.recvOnly && !(extras.fan !== undefined && !extras.fan.fanOut),
    shutdown: shutdownPolicy(raw, quitSeconds),
    quitAfterEofMs,
    idleTimeoutMs: timeoutMs,
    crlf: raw.crlf,
    lineDelayMs: intervalSeconds === undefined || intervalSeconds === 0 ? undefined : intervalSeconds * 1000,
    telnet: raw.telnet,
    discardReceived: raw.sendOnly,
    socketOptions: socketOptions(raw),
    exec,
    // Only when asked for: every other config stays exactly as before.
    ...(metered === undefined ? {} : { meter: { sha256: raw.sha256, progress: raw.progress } }),
    ...(raw.verify ? { verify: true } : {}),
    ...(tls === undefined ? {} : { tls }),
    ...(extras.rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond: extras.rateBytesPerSecond }),
  } as const;

  const { operands } = raw;
  let config: Config;
  if (raw.unix) {
    // -U: the one operand is a path; a port makes no sense (nc.openbsd's checks and wording).
    if (operands.length > 1 || raw.port !== undefined) fail(messages.portWithUnix());
    // -s PATH is the -U -u client's own socket (so the server can answer); nothing else has one.
    if (raw.source !== undefined && (!raw.udp || raw.listen)) fail(messages.cannotCombine('-s', '-U'));
    const [path] = operands;
    if (path === undefined || path === '') {
      if (raw.listen) fail(messages.missingSocketPath());
      throw new UsageError('', true);
    }
    if (raw.listen) {
      config = {
        ...common,
        mode: 'listen',
        bindAddress: path,
        port: 0,
        keepListening: raw.keep,
        access,
        maxConnections,
      };
    } else if (raw.scan) {
      config = scanConfig(raw, path, [], family, timeoutMs, undefined);
    } else {
      config = {
        ...common,
        mode: 'connect',
        host: path,
        ports: [],
        sourceAddress: raw.source,
        sourcePort: undefined,
        connectTimeoutMs: timeoutMs,
        proxy: undefined,
      };
    }
  } else if (raw.listen) {
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
      port: parseListenPort(portText, services, proto),
      keepListening: raw.keep,
      access,
      maxConnections,
    };
  } else {
    const [host, ...portTexts] = operands;
    if (host === undefined) throw new UsageError('', true);
    if (portTexts.length === 0) throw new UsageError(messages.missingPort(), false);
    const ports = portTexts.flatMap((text) => {
      const list = parsePortSpec(text, services, proto);
      return raw.randomPorts ? shuffled(list) : list;
    });
    const sourcePort = raw.port === undefined ? undefined : parsePort(raw.port, services, proto);
    if (raw.scan) {
      config = scanConfig(raw, host, ports, family, timeoutMs, proxy, sourcePort);
    } else {
      config = {
        ...common,
        mode: 'connect',
        host,
        ports,
        sourceAddress: raw.source,
        sourcePort,
        connectTimeoutMs: timeoutMs,
        proxy,
      };
    }
  }
  if (config.mode === 'listen') {
    if (extras.portFile !== undefined) config = { ...config, portFile: extras.portFile };
    if (extras.fan !== undefined) config = { ...config, fan: extras.fan };
  }
  if (config.mode === 'connect' && extras.retry !== undefined) config = { ...config, retry: extras.retry };
  if (relay !== undefined && config.mode === 'listen') {
    // -u: an association idle for -w (else a minute, as a DNS forwarder's clients retry sooner) ends.
    const associationIdleMs = timeoutMs ?? DEFAULT_ASSOCIATION_IDLE_MS;
    return {
      kind: 'run',
      config: { ...config, mode: 'relay', target: relay, targetText: raw.relay ?? '', associationIdleMs },
    };
  }
  if (raw.serveFile !== undefined && config.mode === 'listen') {
    return { kind: 'run', config: { ...config, mode: 'serve', file: raw.serveFile, count: serveCount } };
  }
  return { kind: 'run', config };
};

const scanConfig = (
  raw: RawArgs,
  host: string,
  ports: number[],
  family: Family,
  connectTimeoutMs: number | undefined,
  proxy: ProxySpec | undefined,
  sourcePort?: number,
): ScanConfig => ({
  mode: 'scan',
  transport: raw.unix ? (raw.udp ? 'unix-dgram' : 'unix') : raw.udp ? 'udp' : 'tcp',
  family,
  numeric: raw.numeric,
  verbose: raw.verbose > 0,
  host,
  ports,
  sourceAddress: raw.source,
  sourcePort,
  connectTimeoutMs,
  proxy,
});

/** --sha256/--progress count one session's stdin and stdout: not a scan, many clients, or a program. */
const METER_CONFLICTS = [
  ['-z', (raw: RawArgs) => raw.scan],
  ['-k', (raw: RawArgs) => raw.keep],
  ['-e', (raw: RawArgs) => raw.exec !== undefined],
  ['-c', (raw: RawArgs) => raw.shellCommand !== undefined],
  ['--serve', (raw: RawArgs) => raw.serveFile !== undefined],
] as const;

/** --ssl, or any --ssl-* option (each implies --ssl). */
const tlsGiven = (raw: RawArgs): boolean =>
  raw.ssl ||
  raw.sslInsecure ||
  [raw.sslCert, raw.sslKey, raw.sslTrustfile, raw.sslServername, raw.sslPin].some((v) => v !== undefined);

/** What TLS cannot go with: a datagram transport, a scan without data, the many-client file server. */
const TLS_CONFLICTS = [
  ['-u', (raw: RawArgs) => raw.udp],
  ['-z', (raw: RawArgs) => raw.scan],
  ['--serve', (raw: RawArgs) => raw.serveFile !== undefined],
] as const;

/** What --relay cannot go with: other modes, and options about stdin and stdout, which it does not use. */
const NOT_WITH_RELAY = [
  ['-z', (raw: RawArgs) => raw.scan],
  ['--serve', (raw: RawArgs) => raw.serveFile !== undefined],
  ['-e', (raw: RawArgs) => raw.exec !== undefined],
  ['-c', (raw: RawArgs) => raw.shellCommand !== undefined],
  ['--verify', (raw: RawArgs) => raw.verify],
  ['--sha256', (raw: RawArgs) => raw.sha256],
  ['--progress', (raw: RawArgs) => raw.progress],
  ['-d', (raw: RawArgs) => raw.noStdin],
  ['--recv-only', (raw: RawArgs) => raw.recvOnly],
  ['--send-only', (raw: RawArgs) => raw.sendOnly],
  ['-q', (raw: RawArgs) => raw.quit !== undefined],
  ['-N', (raw: RawArgs) => raw.shutdownAlways],
  ['--no-shutdown', (raw: RawArgs) => raw.noShutdown],
  ['-C', (raw: RawArgs) => raw.crlf],
  ['-i', (raw: RawArgs) => raw.interval !== undefined],
  ['-t', (raw: RawArgs) => raw.telnet],
  ['-x', (raw: RawArgs) => raw.proxy !== undefined],
  ['--retry', (raw: RawArgs) => raw.retry !== undefined],
  ['--fan-out', (raw: RawArgs) => raw.fanOut],
  ['-o', (raw: RawArgs) => raw.output !== undefined],
  ['--rate', (raw: RawArgs) => raw.rate !== undefined],
] as const;

/** Options that make no sense for --wait: each is an error rather than silently ignored. */
const NOT_WITH_WAIT = [
  ['-l', (raw: RawArgs) => raw.listen],
  ['-z', (raw: RawArgs) => raw.scan],
  ['-u', (raw: RawArgs) => raw.udp],
  ['-U', (raw: RawArgs) => raw.unix],
  ['-k', (raw: RawArgs) => raw.keep],
  ['-e', (raw: RawArgs) => raw.exec !== undefined],
  ['-c', (raw: RawArgs) => raw.shellCommand !== undefined],
  ['-x', (raw: RawArgs) => raw.proxy !== undefined],
  ['-s', (raw: RawArgs) => raw.source !== undefined],
  ['-p', (raw: RawArgs) => raw.port !== undefined],
  ['--sha256', (raw: RawArgs) => raw.sha256],
  ['--progress', (raw: RawArgs) => raw.progress],
  ['--verify', (raw: RawArgs) => raw.verify],
  ['--serve', (raw: RawArgs) => raw.serveFile !== undefined],
  ['--ssl', (raw: RawArgs) => tlsGiven(raw)],
  ['--relay', (raw: RawArgs) => raw.relay !== undefined],
  ['--retry', (raw: RawArgs) => raw.retry !== undefined],
  ['--port-file', (raw: RawArgs) => raw.portFile !== undefined],
  ['--fan-out', (raw: RawArgs) => raw.fanOut],
  ['-o', (raw: RawArgs) => raw.output !== undefined],
  ['--rate', (raw: RawArgs) => raw.rate !== undefined],
] as const;

/** --wait [--timeout D] [--interval D] [--send DATA] [--expect RE] HOST PORT | host:port ... */
const waitConfig = (raw: RawArgs, services: ServiceTable): WaitConfig => {
  for (const [option, given] of NOT_WITH_WAIT) if (given(raw)) fail(messages.cannotCombine('--wait', option));
  const waitSeconds = seconds(raw.wait, 0, Math.floor(INT_MAX / 1000), messages.timeoutInvalid);
  const family = raw.family === '4' ? 4 : raw.family === '6' ? 6 : undefined;
  const timeoutMs = parseDuration('--timeout', raw.waitTimeout ?? '60s');
  // As given, but always with its unit: a bare number is seconds.
  const timeoutText = /^\d+$/.test(raw.waitTimeout ?? '')
    ? `${raw.waitTimeout}s`
    : (raw.waitTimeout ?? '60s');
  const intervalMs = raw.waitInterval === undefined ? 1000 : parseDuration('--interval', raw.waitInterval);
  const targets = parseTargets(raw.operands, services);
  if (raw.numeric) {
    const named = targets.find((target) => isName(target.host));
    if (named !== undefined)
      fail(messages.resolveFailed(named.host, named.port, 'Name or service not known'));
  }
  return {
    mode: 'wait',
    family,
    numeric: raw.numeric,
    verbose: raw.verbose > 0,
    targets,
    timeoutMs,
    timeoutText,
    intervalMs,
    attemptTimeoutMs: waitSeconds === undefined || waitSeconds === 0 ? undefined : waitSeconds * 1000,
    send: raw.probeSend === undefined ? undefined : parseSendData(raw.probeSend),
    expect: raw.probeExpect === undefined ? undefined : parseExpect(raw.probeExpect),
  };
};

/** How wide nc.openbsd's usage lines are: each fits an 80-column terminal. */
const USAGE_COLUMNS = 79;

/**
 * The usage nc prints after a command-line error: the short options as nc.openbsd's usage()
 * lists them, wrapped at 80 columns onto lines that start with a tab and two spaces, and the
 * operands on a line of their own. The long options are many: -h lists them.
 */
export const usageText = (prog: string): string => {
  const flags = OPTIONS.filter((o) => o.short !== undefined && !o.takesValue)
    .map((o) => o.short)
    .sort((a, b) => (a ?? '').localeCompare(b ?? '', 'en', { caseFirst: 'upper' }))
    .join('');
  const words = [
    `[-${flags}]`,
    ...OPTIONS.filter((o) => o.short !== undefined && o.takesValue).map(
      (o) => `[-${o.short} ${o.valueName}]`,
    ),
    '[--long-option ...]',
  ];
  const indent = '\t  ';
  const lines: string[] = [];
  let line = `usage: ${prog}`;
  for (const word of words) {
    // A tab is 8 columns on a terminal.
    const columns = line.replace(/^\t/, ' '.repeat(8)).length + 1 + word.length;
    if (columns > USAGE_COLUMNS) {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = `${line} ${word}`;
    }
  }
  lines.push(line, `${indent}[destination] [port]`);
  return `${lines.join('\n')}\n`;
};
