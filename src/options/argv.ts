// argv -> RawArgs: getopt's rules split the words, yargs-parser types the canonical tokens.
// No meaning yet: resolve.ts gives it.
import yargsParser from 'yargs-parser';
import { getopt } from './getopt.js';
import { OPTIONS, type OptionSpec } from './table.js';

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
