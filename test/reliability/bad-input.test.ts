// Bad input: every option with missing and extra arguments, bad ports and ranges, huge
// and empty values, conflicting and unknown options, names that don't resolve and addresses of
// the wrong family. Each row: the documented exit code, one clear stderr line (plus getopt's
// usage where nc prints it), nothing on stdout, never a stack trace.
// (test/e2e/messages.test.ts pins the exact text of the core messages; rows here are the rest.)
import { chmodSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, tsnc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { peerServer, quietPeriod } from '../helpers/peer.js';
import { canUseRoot, CRASH, Netns, NXDOMAIN_DNS, ROOT_NOTE } from './kit.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

/** getopt's usage block, whatever options it lists (the table grows). */
const USAGE = /^usage: tsnc \[[^\n]*\n(\t[^\n]*\n)*$/;

interface Outcome {
  readonly status: number;
  readonly stderr: string;
  readonly stdout: string;
}

const runTsnc = async (args: readonly string[]): Promise<Outcome> => {
  const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const status = await proc.exited(10_000);
  return { status, stderr: proc.stderr(), stdout: proc.stdout().toString() };
};

/**
 * The shape every error must have: exactly one line matching `line` (by default any
 * `tsnc: ...` line), then getopt's usage if `usage` says so ('maybe': either), nothing else.
 */
const expectOneLine = (outcome: Outcome, line: RegExp, usage: boolean | 'maybe'): void => {
  expect(outcome.stderr).not.toMatch(CRASH);
  expect(outcome.stdout).toBe('');
  const at = outcome.stderr.search(/^usage: /m);
  const message = at === -1 ? outcome.stderr : outcome.stderr.slice(0, at);
  const rest = at === -1 ? '' : outcome.stderr.slice(at);
  expect(message).toMatch(/^tsnc: [^\n]*\n$/);
  expect(message.slice(0, -1)).toMatch(line);
  if (usage === true) expect(rest).toMatch(USAGE);
  if (usage === false) expect(rest).toBe('');
  if (usage === 'maybe' && rest !== '') expect(rest).toMatch(USAGE);
};

type Row = readonly [label: string, args: readonly string[], line: RegExp, usage: boolean];

const table = (rows: readonly Row[]): void => {
  it.each(rows)('%s: %j', async (_label, args, line, usage) => {
    const outcome = await runTsnc(args);
    expect(outcome.status).toBe(1);
    expectOneLine(outcome, line, usage);
  });
};

describe('missing arguments', () => {
  table([
    ['-p needs a value', ['-l', '-p'], /^tsnc: option requires an argument -- 'p'$/, true],
    ['-q needs a value', ['127.0.0.1', '1', '-q'], /^tsnc: option requires an argument -- 'q'$/, true],
    ['-s needs a value', ['127.0.0.1', '1', '-s'], /^tsnc: option requires an argument -- 's'$/, true],
    ['-w needs a value', ['-w'], /^tsnc: option requires an argument -- 'w'$/, true],
    ['a cluster ending in -p', ['-lvp'], /^tsnc: option requires an argument -- 'p'$/, true],
    ['listen with -s but no port', ['-l', '-s', '127.0.0.1'], /^tsnc: missing port number$/, false],
    ['connect: host, no port', ['-v', '-n', '127.0.0.1'], /^tsnc: missing port number$/, false],
  ]);

  it.each([[['-n']], [['-v', '-4']], [['--no-shutdown']], [['--']]])(
    'no destination at all %j: the usage alone, exit 1',
    async (args) => {
      const outcome = await runTsnc(args);
      expect(outcome.status).toBe(1);
      expect(outcome.stderr).toMatch(USAGE);
      expect(outcome.stdout).toBe('');
    },
  );
});

describe('extra arguments', () => {
  table([
    [
      'listen: -p and two operands',
      ['-l', '-p', '0', '127.0.0.1', 'extra'],
      /^tsnc: too many arguments$/,
      true,
    ],
    ['listen: three operands', ['-l', '127.0.0.1', '0', 'extra'], /^tsnc: too many arguments$/, true],
    [
      'connect: an extra operand is a port',
      ['127.0.0.1', '1', 'extra'],
      /^tsnc: port number invalid: extra$/,
      false,
    ],
    [
      'listen: -s and an address',
      ['-l', '-s', '127.0.0.1', '127.0.0.1', '0'],
      /^tsnc: cannot use -s and a listen address together$/,
      false,
    ],
    ['--help takes no value', ['--help=1'], /^tsnc: option '--help' doesn't allow an argument$/, true],
    [
      '--version takes no value',
      ['--version=x'],
      /^tsnc: option '--version' doesn't allow an argument$/,
      true,
    ],
    [
      '--no-shutdown takes no value, not even an empty one',
      ['--no-shutdown=', '127.0.0.1', '1'],
      /^tsnc: option '--no-shutdown' doesn't allow an argument$/,
      true,
    ],
  ]);

  it.each([[['-h', 'extra', 'words']], [['--version', 'extra']], [['-46', '-l', '-p', '0', '-h']]])(
    '-h / --version win over other arguments %j: exit 0, text on stdout only',
    async (args) => {
      const outcome = await runTsnc(args);
      expect(outcome.status).toBe(0);
      expect(outcome.stderr).toBe('');
      expect(outcome.stdout).toMatch(/^tsnc /);
    },
  );
});

describe('ports: out of range, not numeric, spaces, signs', () => {
  table([
    ['far too large', ['127.0.0.1', '99999'], /^tsnc: port number too large: 99999$/, false],
    [
      '2^32 + 80 (no wrap to 80)',
      ['127.0.0.1', '4294967376'],
      /^tsnc: port number too large: 4294967376$/,
      false,
    ],
    ['leading zeros, too large', ['127.0.0.1', '0065536'], /^tsnc: port number too large: 0065536$/, false],
    ['hex', ['127.0.0.1', '0x50'], /^tsnc: port number invalid: 0x50$/, false],
    ['exponent', ['127.0.0.1', '1e3'], /^tsnc: port number invalid: 1e3$/, false],
    ['decimal point', ['127.0.0.1', '80.0'], /^tsnc: port number invalid: 80\.0$/, false],
    ['digits and letters', ['127.0.0.1', '80abc'], /^tsnc: port number invalid: 80abc$/, false],
    ['fullwidth digits', ['127.0.0.1', '８０'], /^tsnc: port number invalid: ８０$/, false],
    [
      'unknown service name',
      ['127.0.0.1', 'no-such-service-xyz'],
      /^tsnc: port number invalid: no-such-service-xyz$/,
      false,
    ],
    ['trailing space', ['127.0.0.1', '80 '], /^tsnc: port number invalid: 80 $/, false],
    ['inner space', ['127.0.0.1', '8 0'], /^tsnc: port number invalid: 8 0$/, false],
    ['leading tab', ['127.0.0.1', '\t80'], /^tsnc: port number invalid: \t80$/, false],
    ['a negative port is an option to getopt', ['127.0.0.1', '-80'], /^tsnc: invalid option -- '8'$/, true],
    ['-p negative', ['-l', '-p', '-1'], /^tsnc: port number invalid: -1$/, false],
    ['-p with a plus sign', ['-l', '-p', '+1'], /^tsnc: port number invalid: \+1$/, false],
    [
      '-p too large (listen; nc.openbsd wraps, tsnc refuses)',
      ['-l', '-p', '70000'],
      /^tsnc: port number too large: 70000$/,
      false,
    ],
    ['source port 0', ['-p', '0', '127.0.0.1', '1'], /^tsnc: port number too small: 0$/, false],
    [
      'source port too large',
      ['-p', '65536', '127.0.0.1', '1'],
      /^tsnc: port number too large: 65536$/,
      false,
    ],
    ['source port not numeric', ['-p', 'x1', '127.0.0.1', '1'], /^tsnc: port number invalid: x1$/, false],
    ['listen on a range', ['-l', '-p', '1-5'], /^tsnc: port number invalid: 1-5$/, false],
    ['listen operand a range', ['-l', '1-5'], /^tsnc: port number invalid: 1-5$/, false],
  ]);
});

describe('port ranges', () => {
  table([
    ['open upper end', ['127.0.0.1', '10-'], /^tsnc: port range not valid: 10-$/, false],
    ['three parts', ['127.0.0.1', '5-3-1'], /^tsnc: port range not valid: 5-3-1$/, false],
    ['double dash', ['127.0.0.1', '1--2'], /^tsnc: port range not valid: 1--2$/, false],
    ['upper end too large', ['127.0.0.1', '1-65536'], /^tsnc: port number too large: 65536$/, false],
    ['lower end 0', ['127.0.0.1', '0-5'], /^tsnc: port number too small: 0$/, false],
    ['spaces around the dash', ['127.0.0.1', '1 - 2'], /^tsnc: port number invalid: 1 - 2$/, false],
    ['letters', ['127.0.0.1', 'a-b'], /^tsnc: port number invalid: a-b$/, false],
    ['a bad range after a good port', ['127.0.0.1', '1', '3-'], /^tsnc: port range not valid: 3-$/, false],
  ]);
});

describe('timers: huge, negative, not numeric, empty', () => {
  table([
    [
      '-w past INT_MAX/1000',
      ['-w', '2147484', '127.0.0.1', '1'],
      /^tsnc: timeout too large: 2147484$/,
      false,
    ],
    [
      '-w with 24 digits',
      ['-w', '999999999999999999999999', '127.0.0.1', '1'],
      /^tsnc: timeout too large: 9{24}$/,
      false,
    ],
    ['-w a fraction', ['-w', '1.5', '127.0.0.1', '1'], /^tsnc: timeout invalid: 1\.5$/, false],
    ['-w with a unit', ['-w', '5s', '127.0.0.1', '1'], /^tsnc: timeout invalid: 5s$/, false],
    ['-w negative', ['-w', '-5', '127.0.0.1', '1'], /^tsnc: timeout too small: -5$/, false],
    [
      '-q past INT_MAX',
      ['-q', '2147483648', '127.0.0.1', '1'],
      /^tsnc: quit timer too large: 2147483648$/,
      false,
    ],
    [
      '-q below INT_MIN',
      ['-q', '-2147483649', '127.0.0.1', '1'],
      /^tsnc: quit timer too small: -2147483649$/,
      false,
    ],
    ['-q exponent', ['-q', '1e9', '127.0.0.1', '1'], /^tsnc: quit timer invalid: 1e9$/, false],
    ['-q with a plus sign', ['-q', '+1', '127.0.0.1', '1'], /^tsnc: quit timer invalid: \+1$/, false],
  ]);

  table([
    ['-i huge', ['-i', '99999999999', '127.0.0.1', '1'], /^tsnc: interval too large: 99999999999$/, false],
    ['-i not numeric', ['-i', 'abc', '127.0.0.1', '1'], /^tsnc: interval invalid: abc$/, false],
    ['-i negative', ['-i', '-1', '127.0.0.1', '1'], /^tsnc: interval too small: -1$/, false],
    ['-m 0', ['-l', '-m', '0', '-p', '0'], /^tsnc: max connections too small: 0$/, false],
    [
      '-m huge',
      ['-l', '-m', '2147483648', '-p', '0'],
      /^tsnc: max connections too large: 2147483648$/,
      false,
    ],
    [
      '-O huge (UDP)',
      ['-u', '-O', '99999999999', '127.0.0.1', '1'],
      /^tsnc: TCP send window too large: 99999999999$/,
      false,
    ],
    ['-I 0 (UDP)', ['-u', '-I', '0', '127.0.0.1', '1'], /^tsnc: TCP receive window too small: 0$/, false],
  ]);

  it('-w at its largest (2147483) is accepted: a refused connect is still a silent exit 1', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const outcome = await runTsnc(['-w', '2147483', '127.0.0.1', String(port)]);
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toBe('');
  });

  it('-w at its largest as an idle timer: no warning, the session runs normally', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-w', '2147483', '127.0.0.1', String(peer.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const conn = await peer.accepted();
    await quietPeriod(500);
    expect(proc.child.exitCode).toBeNull();
    conn.socket.end('bye\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('bye\n');
    expect(proc.stderr()).toBe('');
    peer.close();
  });

  // Was a bug (fixed; see docs/reliability.md): -q N is turned into N*1000 ms for setTimeout, which holds at most 2^31-1 ms (24.8 days).
  // Any N > 2147483 overflows: Node prints a TimeoutOverflowWarning on stderr and fires the quit
  // timer after 1 ms, so tsnc quits right after the FIN and loses the peer's reply.
  it('-q at its largest (2147483647) waits for the peer like -q 600, and prints no warning', async () => {
    const peer = await peerServer();
    const proc = tsnc(['-q', '2147483647', '127.0.0.1', String(peer.port)]);
    const conn = await peer.accepted();
    proc.endStdin();
    await conn.fin;
    await quietPeriod(500);
    conn.socket.end('reply\n');
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('reply\n');
    expect(proc.stderr()).toBe('');
    peer.close();
  });
});

describe('empty strings', () => {
  table([
    ['empty port', ['127.0.0.1', ''], /^tsnc: port number invalid: $/, false],
    ['empty host and port', ['', ''], /^tsnc: port number invalid: $/, false],
    ['empty host', ['', '80'], /^tsnc: getaddrinfo for host "" port 80: Name or service not known$/, false],
    ['empty -p', ['-p', '', '127.0.0.1', '1'], /^tsnc: port number invalid: $/, false],
    ['empty listen -p', ['-l', '-p', ''], /^tsnc: port number invalid: $/, false],
    ['empty -w', ['-w', '', '127.0.0.1', '1'], /^tsnc: timeout invalid: $/, false],
    ['empty -q', ['-q', '', '127.0.0.1', '1'], /^tsnc: quit timer invalid: $/, false],
    [
      'empty -s (connect)',
      ['-s', '', '127.0.0.1', '1'],
      /^tsnc: getaddrinfo for host "" port null: Name or service not known$/,
      false,
    ],
    [
      'empty -s (listen)',
      ['-l', '-s', '', '-p', '0'],
      /^tsnc: getaddrinfo: Name or service not known$/,
      false,
    ],
    ['empty glued -p', ['-lp', '', '-v'], /^tsnc: port number invalid: $/, false],
  ]);
});

describe('conflicting options', () => {
  table([
    ['-k without -l, also with -N', ['-k', '-N', '127.0.0.1', '1'], /^tsnc: must use -l with -k$/, false],
    [
      '-N with --no-shutdown in listen mode',
      ['-l', '-N', '--no-shutdown', '-p', '0'],
      /^tsnc: cannot use -N and --no-shutdown together$/,
      false,
    ],
  ]);
  table([
    ['-l with -z', ['-l', '-z', '-p', '1'], /^tsnc: cannot use -z and -l$/, false],
    ['-z with -l in one cluster', ['-zl', '127.0.0.1', '1'], /^tsnc: cannot use -z and -l$/, false],
    ['-U with a port', ['-U', `${files.dir}/u.sock`, '80'], /^tsnc: cannot use port with -U$/, false],
    ['-U with -p', ['-l', '-U', `${files.dir}/u.sock`, '-p', '80'], /^tsnc: cannot use port with -U$/, false],
    ['-U with -s', ['-U', `${files.dir}/u.sock`, '-s', '127.0.0.1'], /^tsnc: cannot use -s and -U$/, false],
    [
      '-s with -U -u -l (only the client has a socket of its own)',
      ['-l', '-U', '-u', '-s', `${files.dir}/me.sock`, `${files.dir}/u.sock`],
      /^tsnc: cannot use -s and -U$/,
      false,
    ],
    ['-lU without a path', ['-lU'], /^tsnc: missing socket pathname$/, false],
    [
      '-u with -x',
      ['-u', '-x', '127.0.0.1:1080', '127.0.0.1', '1'],
      /^tsnc: no proxy support for UDP mode$/,
      false,
    ],
    ['-x with -l', ['-l', '-x', '127.0.0.1:1080', '-p', '0'], /^tsnc: no proxy support for listen$/, false],
    [
      '-x with -U',
      ['-U', '-x', '127.0.0.1:1080', `${files.dir}/u.sock`],
      /^tsnc: no proxy support for unix sockets$/,
      false,
    ],
    [
      '-x with a bad port',
      ['-x', '127.0.0.1:99999', '127.0.0.1', '1'],
      /^tsnc: port number too large: 99999$/,
      false,
    ],
    [
      '-x with an open bracket',
      ['-x', '[::1', '127.0.0.1', '1'],
      /^tsnc: missing closing bracket in proxy$/,
      false,
    ],
    [
      '-X unknown',
      ['-X', '7', '-x', '127.0.0.1', '127.0.0.1', '1'],
      /^tsnc: unsupported proxy protocol$/,
      false,
    ],
    ['-e with -c', ['-e', '/bin/cat', '-c', 'cat', '-l', '-p', '0'], /^tsnc: cannot use -e and -c$/, false],
    ['-e empty', ['-e', '', '-l', '-p', '0'], /^tsnc: -e: missing program name$/, false],
    ['-e unbalanced quote', ['-e', "'cat", '-l', '-p', '0'], /^tsnc: -e: unbalanced quote: 'cat$/, false],
    ['-c blank', ['-c', '  ', '-l', '-p', '0'], /^tsnc: -c: missing program name$/, false],
    ['-z with -e', ['-z', '-e', '/bin/cat', '127.0.0.1', '1'], /^tsnc: cannot use -z and -e$/, false],
    ['-m without -l', ['-m', '5', '127.0.0.1', '1'], /^tsnc: must use -l with -m$/, false],
    [
      '--send-only with --recv-only',
      ['--send-only', '--recv-only', '127.0.0.1', '1'],
      /^tsnc: cannot use --send-only and --recv-only$/,
      false,
    ],
    [
      '--send-only with --no-shutdown',
      ['--send-only', '--no-shutdown', '127.0.0.1', '1'],
      /^tsnc: cannot use --send-only and --no-shutdown$/,
      false,
    ],
    [
      '--allow without -l',
      ['--allow', '127.0.0.1', '127.0.0.1', '1'],
      /^tsnc: must use -l with --allow$/,
      false,
    ],
    [
      '--allow with -U',
      ['-l', '-U', '--allow', '127.0.0.1', `${files.dir}/u.sock`],
      /^tsnc: cannot use --allow and -U$/,
      false,
    ],
    ['-T unknown', ['-T', 'foo', '127.0.0.1', '1'], /^tsnc: illegal tos value foo$/, false],
  ]);
});

describe('unknown long options', () => {
  table([
    ['a short option spelled long', ['--listen', '-p', '0'], /^tsnc: unrecognized option '--listen'$/, true],
    ['with a value', ['--verbose=2', '127.0.0.1', '1'], /^tsnc: unrecognized option '--verbose'$/, true],
    ['three dashes', ['---x'], /^tsnc: unrecognized option '---x'$/, true],
    ['an abbreviation', ['--no-shut', '127.0.0.1', '1'], /^tsnc: unrecognized option '--no-shut'$/, true],
    [
      'after the operands (GNU permutation)',
      ['127.0.0.1', '1', '--bogus'],
      /^tsnc: unrecognized option '--bogus'$/,
      true,
    ],
  ]);
});

describe('--allow / --deny values', () => {
  table([
    [
      'a prefix past /32',
      ['-l', '-p', '0', '--allow', '10.0.0.0/33'],
      /^tsnc: --allow: invalid address or network: 10\.0\.0\.0\/33$/,
      false,
    ],
    [
      'a prefix past /128',
      ['-l', '-p', '0', '--deny', '::/129'],
      /^tsnc: --deny: invalid address or network: ::\/129$/,
      false,
    ],
    [
      'a negative prefix',
      ['-l', '-p', '0', '--deny', '10.0.0.0/-1'],
      /^tsnc: --deny: invalid address or network: 10\.0\.0\.0\/-1$/,
      false,
    ],
    [
      'an empty prefix',
      ['-l', '-p', '0', '--allow', '10.0.0.0/'],
      /^tsnc: --allow: invalid address or network: 10\.0\.0\.0\/$/,
      false,
    ],
    [
      'an octet past 255',
      ['-l', '-p', '0', '--allow', '300.1.2.3'],
      /^tsnc: --allow: invalid address or network: 300\.1\.2\.3$/,
      false,
    ],
    [
      'a bad entry in a list',
      ['-l', '-p', '0', '--allow', '127.0.0.1,::1,1.2.3.4.5'],
      /^tsnc: --allow: invalid address or network: 1\.2\.3\.4\.5$/,
      false,
    ],
    [
      'a name under -n',
      ['-n', '-l', '-p', '0', '--allow', 'localhost'],
      /^tsnc: getaddrinfo for host "localhost" port null: Name or service not known$/,
      false,
    ],
    [
      'a missing --allowfile',
      ['-l', '-p', '0', '--allowfile', `${files.dir}/missing`],
      /: No such file or directory$/,
      false,
    ],
  ]);

  // Was a bug (fixed; see docs/reliability.md): an empty --allow (say `--allow "$TRUSTED"` with the variable unset) gives an empty
  // list, and an empty list is treated as "no --allow at all": the listener lets everyone in.
  // It must fail closed: reject the value (or admit nobody).
  it('an empty --allow is an error, not "allow everyone"', async () => {
    const outcome = await runTsnc(['-l', '-p', '0', '--allow', '']);
    expect(outcome.status).toBe(1);
    expectOneLine(outcome, /^tsnc: --allow: .+$/, false);
  });

  // Was a bug (fixed; see docs/reliability.md): errnoText has no entry for EISDIR, so the line ends in the bare code.
  it('a directory as --denyfile: one line with the strerror text', async () => {
    const outcome = await runTsnc(['-l', '-p', '0', '--denyfile', files.dir]);
    expect(outcome.status).toBe(1);
    expectOneLine(outcome, /^tsnc: .+: Is a directory$/, false);
  });
});

describe('addresses of the wrong family, addresses that are not ours', () => {
  table([
    [
      '-4, listen on ::1',
      ['-4', '-l', '::1', '0'],
      /^tsnc: getaddrinfo: Address family for hostname not supported$/,
      false,
    ],
    [
      '-6, listen on 127.0.0.1',
      ['-6', '-l', '127.0.0.1', '0'],
      /^tsnc: getaddrinfo: Address family for hostname not supported$/,
      false,
    ],
    [
      '-4, listen -s ::1',
      ['-4', '-l', '-s', '::1', '-p', '0'],
      /^tsnc: getaddrinfo: Address family for hostname not supported$/,
      false,
    ],
    [
      '-4, source ::1',
      ['-4', '-s', '::1', '127.0.0.1', '1'],
      /^tsnc: getaddrinfo for host "::1" port null: Address family for hostname not supported$/,
      false,
    ],
    [
      '-6, source 127.0.0.1',
      ['-6', '-s', '127.0.0.1', '::1', '1'],
      /^tsnc: getaddrinfo for host "127\.0\.0\.1" port null: Address family for hostname not supported$/,
      false,
    ],
    [
      'source ::1 to an IPv4 host',
      ['-s', '::1', '127.0.0.1', '1'],
      /^tsnc: bind failed: Invalid argument$/,
      false,
    ],
    [
      'source 127.0.0.1 to an IPv6 host',
      ['-s', '127.0.0.1', '::1', '1'],
      /^tsnc: bind failed: Invalid argument$/,
      false,
    ],
    [
      'source address not on this host',
      ['-s', '192.0.2.1', '127.0.0.1', '1'],
      /^tsnc: bind failed: Cannot assign requested address$/,
      false,
    ],
    [
      'listen on an address not on this host',
      ['-l', '-s', '192.0.2.1', '-p', '0'],
      /^tsnc: Cannot assign requested address$/,
      false,
    ],
    [
      '-n with a name',
      ['-n', '-v', 'localhost', '1'],
      /^tsnc: getaddrinfo for host "localhost" port 1: Name or service not known$/,
      false,
    ],
    [
      '-n with a dash-name after --',
      ['-n', '--', '-l', '1'],
      /^tsnc: getaddrinfo for host "-l" port 1: Name or service not known$/,
      false,
    ],
    [
      '-n with a bad IPv4 literal',
      ['-n', '256.1.1.1', '1'],
      /^tsnc: getaddrinfo for host "256\.1\.1\.1" port 1: Name or service not known$/,
      false,
    ],
    [
      '-n with a short IPv4 literal',
      ['-n', '1.2.3', '1'],
      /^tsnc: getaddrinfo for host "1\.2\.3" port 1: Name or service not known$/,
      false,
    ],
  ]);
});

describe('-e with a program that cannot run, connect mode', () => {
  let server: Server;
  let port = 0;
  const held: Socket[] = [];
  beforeAll(async () => {
    server = createServer((socket) => held.push(socket)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    for (const socket of held) socket.destroy();
    server.close();
  });
  const notExecutable = files.file('not-executable.sh', '#!/bin/sh\necho hi\n');
  chmodSync(notExecutable, 0o600);
  it.each([
    [
      'a path that does not exist',
      `${files.dir}/no-such-program`,
      /^tsnc: exec .+\/no-such-program failed: No such file or directory$/,
    ],
    ['a file without execute permission', notExecutable, /^tsnc: exec .+ failed: Permission denied$/],
    ['a directory', files.dir, /^tsnc: exec .+ failed: Permission denied$/],
  ])('%s: exit 1 and one line', async (_label, program, line) => {
    const outcome = await runTsnc(['-e', program, '127.0.0.1', String(port)]);
    expect(outcome.status).toBe(1);
    expectOneLine(outcome, line, false);
  });
});

describe.skipIf(!canUseRoot)(`names that don't resolve (fake DNS in a test netns)${ROOT_NOTE}`, () => {
  const ns = new Netns('badin');
  beforeAll(async () => {
    ns.create();
    ns.localResolver(2);
    // Only the v4 localhost: `-6 localhost` must find nothing, the same on every host.
    ns.etc('hosts', '127.0.0.1 localhost\n');
    await ns.helper('python3', [NXDOMAIN_DNS]);
  });
  afterAll(() => ns.remove());

  it.each([
    [
      'a source address',
      ['-s', 'nonexistent.invalid', '127.0.0.1', '1'],
      /^tsnc: getaddrinfo for host "nonexistent\.invalid" port null: Name or service not known$/,
    ],
    [
      'a listen -s address',
      ['-l', '-s', 'nonexistent.invalid', '-p', '0'],
      /^tsnc: getaddrinfo: Name or service not known$/,
    ],
    [
      'a host with a port range',
      ['nonexistent.invalid', '1-3'],
      /^tsnc: getaddrinfo for host "nonexistent\.invalid" port 1: Name or service not known$/,
    ],
    [
      'a name with no address of the -6 family',
      ['-6', 'localhost', '1'],
      /^tsnc: getaddrinfo for host "localhost" port 1: .+$/,
    ],
    [
      'a name with no address of the -6 family, listen',
      ['-6', '-l', 'localhost', '0'],
      /^tsnc: getaddrinfo: .+$/,
    ],
  ] as const)('%s: %j', async (_label, args, line) => {
    const proc = ns.tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const status = await proc.exited(15_000);
    expect(status).toBe(1);
    expectOneLine({ status, stderr: proc.stderr(), stdout: proc.stdout().toString() }, line, false);
  });
});
