// --relay's bad input: every bad TARGET and every option it cannot go with. Each row: exit 1,
// one `tsnc: ...` line, nothing on stdout, no stack trace, and (under strace) no socket made.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { CLI, killAll, start } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { itWithPeer } from '../helpers/peers.js';
import { CRASH } from './kit.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const PIN = `sha256:${'ab'.repeat(32)}`;
const served = files.file('served.txt', 'x');

type Row = readonly [label: string, args: readonly string[], line: RegExp];

const rows: readonly Row[] = [
  ['a host alone', ['-l', '-p', '0', '--relay', 'db'], /^tsnc: relay target "db": missing port number$/],
  ['host and colon', ['-l', '-p', '0', '--relay', 'db:'], /^tsnc: relay target "db:": missing port number$/],
  [
    'port too large',
    ['-l', '-p', '0', '--relay', 'db:99999'],
    /^tsnc: relay target "db:99999": port number too large: 99999$/,
  ],
  [
    'port zero',
    ['-l', '-p', '0', '--relay', 'db:0'],
    /^tsnc: relay target "db:0": port number too small: 0$/,
  ],
  [
    'unknown service',
    ['-l', '-p', '0', '--relay', 'db:no-such-service'],
    /^tsnc: relay target "db:no-such-service": port number invalid: no-such-service$/,
  ],
  ['no host', ['-l', '-p', '0', '--relay', ':80'], /^tsnc: relay target ":80": missing host$/],
  ['empty target', ['-l', '-p', '0', '--relay', ''], /^tsnc: relay target "": missing target$/],
  [
    'unix: without a path',
    ['-l', '-p', '0', '--relay', 'unix:'],
    /^tsnc: relay target "unix:": missing socket pathname$/,
  ],
  [
    'unix:@ without a name',
    ['-l', '-p', '0', '--relay', 'unix:@'],
    /^tsnc: relay target "unix:@": missing socket pathname$/,
  ],
  [
    'IPv6 without brackets',
    ['-l', '-p', '0', '--relay', '::1:80'],
    /^tsnc: relay target "::1:80": an IPv6 address goes in brackets: \[address\]:port$/,
  ],
  [
    'unclosed bracket',
    ['-l', '-p', '0', '--relay', '[::1:80'],
    /^tsnc: relay target "\[::1:80": missing closing bracket$/,
  ],
  [
    'brackets around no IPv6 address',
    ['-l', '-p', '0', '--relay', '[db]:80'],
    /^tsnc: relay target "\[db\]:80": not an IPv6 address in brackets$/,
  ],
  [
    'unknown scheme',
    ['-l', '-p', '0', '--relay', 'ftp://db:21'],
    /^tsnc: relay target "ftp:\/\/db:21": unknown scheme ftp:\/\/ \(tcp:\/\/, tls:\/\/ or unix:\)$/,
  ],
  [
    'a space in the host',
    ['-l', '-p', '0', '--relay', 'd b:80'],
    /^tsnc: relay target "d b:80": invalid host name$/,
  ],
  [
    'tls:// with a bad pin',
    ['-l', '-p', '0', '--relay', 'tls://db:443', '--ssl-pin', 'sha256:1234'],
    /^tsnc: --ssl-pin: invalid sha256 fingerprint: sha256:1234$/,
  ],
  [
    'tls:// with a pin and --ssl-insecure',
    ['-l', '-p', '0', '--relay', 'tls://db:443', '--ssl-pin', PIN, '--ssl-insecure'],
    /^tsnc: cannot use --ssl-pin and --ssl-insecure$/,
  ],
  [
    'a pin for a plain target',
    ['-l', '-p', '0', '--relay', 'db:5432', '--ssl-pin', PIN],
    /^tsnc: cannot use --ssl-pin with --relay but a tls:\/\/ target$/,
  ],
  [
    '--ssl-servername for a unix target',
    ['-l', '-p', '0', '--relay', 'unix:/run/x.sock', '--ssl-servername', 'db'],
    /^tsnc: cannot use --ssl-servername with --relay but a tls:\/\/ target$/,
  ],
  [
    '-n and a name',
    ['-l', '-n', '-p', '0', '--relay', 'db:5432'],
    /^tsnc: getaddrinfo for host "db" port 5432: Name or service not known$/,
  ],
  [
    '-u to a unix target',
    ['-u', '-l', '-p', '0', '--relay', 'unix:/x'],
    /^tsnc: relay target "unix:\/x": -u relays to host:port only$/,
  ],
  [
    '-u to a tls target',
    ['-u', '-l', '-p', '0', '--relay', 'tls://db:53'],
    /^tsnc: relay target "tls:\/\/db:53": -u relays to host:port only$/,
  ],
  ['-U -u', ['-U', '-u', '-l', '/tmp/x.sock', '--relay', 'db:53'], /^tsnc: cannot use --relay and -U -u$/],
  ['a client (no -l)', ['--relay', 'db:80', '127.0.0.1', '80'], /^tsnc: must use -l with --relay$/],
  ['-z', ['-l', '-z', '-p', '0', '--relay', 'db:80'], /^tsnc: cannot use --relay and -z$/],
  [
    '--serve',
    ['-l', '-p', '0', '--serve', served, '--relay', 'db:80'],
    /^tsnc: cannot use --relay and --serve$/,
  ],
  ['-e', ['-l', '-p', '0', '-e', '/bin/cat', '--relay', 'db:80'], /^tsnc: cannot use --relay and -e$/],
  ['-c', ['-l', '-p', '0', '-c', 'cat', '--relay', 'db:80'], /^tsnc: cannot use --relay and -c$/],
  ['--wait', ['--wait', '--relay', 'db:80', '127.0.0.1:1'], /^tsnc: cannot use --wait and --relay$/],
  ['--verify', ['-l', '-p', '0', '--verify', '--relay', 'db:80'], /^tsnc: cannot use --relay and --verify$/],
  ['--sha256', ['-l', '-p', '0', '--sha256', '--relay', 'db:80'], /^tsnc: cannot use --relay and --sha256$/],
  [
    '--progress',
    ['-l', '-p', '0', '--progress', '--relay', 'db:80'],
    /^tsnc: cannot use --relay and --progress$/,
  ],
  ['-q', ['-l', '-p', '0', '-q', '1', '--relay', 'db:80'], /^tsnc: cannot use --relay and -q$/],
  ['-N', ['-l', '-N', '-p', '0', '--relay', 'db:80'], /^tsnc: cannot use --relay and -N$/],
  ['-d', ['-l', '-d', '-p', '0', '--relay', 'db:80'], /^tsnc: cannot use --relay and -d$/],
  ['-C', ['-l', '-C', '-p', '0', '--relay', 'db:80'], /^tsnc: cannot use --relay and -C$/],
  ['-t', ['-l', '-t', '-p', '0', '--relay', 'db:80'], /^tsnc: cannot use --relay and -t$/],
  [
    '--send-only',
    ['-l', '-p', '0', '--send-only', '--relay', 'db:80'],
    /^tsnc: cannot use --relay and --send-only$/,
  ],
  [
    '--retry',
    ['-l', '-p', '0', '--retry', '3', '--relay', 'db:80'],
    /^tsnc: cannot use --relay and --retry$/,
  ],
  [
    '--fan-out',
    ['-l', '-k', '-p', '0', '--fan-out', '--relay', 'db:80'],
    /^tsnc: cannot use --relay and --fan-out$/,
  ],
  [
    '-o',
    ['-l', '-k', '-p', '0', '-o', 'client-%n.bin', '--relay', 'db:80'],
    /^tsnc: cannot use --relay and -o$/,
  ],
  ['--rate', ['-l', '-p', '0', '--rate', '1M', '--relay', 'db:80'], /^tsnc: cannot use --relay and --rate$/],
  [
    '--ssl-cert without --ssl-key',
    ['-l', '-p', '0', '--ssl-cert', served, '--relay', 'db:80'],
    /^tsnc: must use --ssl-key with --ssl-cert$/,
  ],
];

describe('--relay: bad input, before any socket exists', () => {
  for (const [label, args, line] of rows) {
    itWithPeer('strace')(`${label}: ${JSON.stringify(args)}`, async () => {
      const trace = files.file(`trace-${label.replace(/\W+/g, '-')}.txt`, '');
      const proc = start(
        'strace',
        ['-f', '-qq', '-e', 'trace=socket', '-o', trace, process.execPath, CLI, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      expect(await proc.exited()).toBe(1);
      const stderr = proc.stderr();
      expect(stderr).not.toMatch(CRASH);
      expect(proc.stdout().length).toBe(0);
      expect(stderr).toMatch(/^tsnc: [^\n]*\n$/);
      expect(stderr.slice(0, -1)).toMatch(line);
      expect(readFileSync(trace, 'utf8')).not.toMatch(/socket\(/);
    });
  }
});
