// Security: -e/-c never hand peer data to a shell as arguments (fast-check over
// injection payloads); --allow keeps a shell behind -e for the listed peer only; --allow/--deny
// with IPv4, IPv6, v4-mapped v6 and CIDR edges (in a test netns with extra IPv6 addresses);
// the default bind (0.0.0.0, reachable from another host) against -s 127.0.0.1 (local only);
// the dependency audit.
import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { peerClient } from '../helpers/peer.js';
import { canUseRoot, inCI, itAsRoot, Netns, PEER, pidOf, ROOT_NOTE, vethPair } from './kit.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());
const root = new URL('../../', import.meta.url).pathname;

/** Send text as a client, half-close, and return everything that came back. */
const exchange = async (port: number, text: string | Buffer, from?: string): Promise<Buffer> => {
  const conn = await (from === undefined ? peerClient(port) : peerClientFrom(port, from));
  conn.socket.end(text);
  await conn.closed;
  return conn.received();
};

const peerClientFrom = async (port: number, from: string) => {
  const socket = connect({ host: '127.0.0.1', port, localAddress: from, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return {
    socket,
    closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
    received: () => Buffer.concat(chunks),
  };
};

describe('-e and -c never give peer data to a shell as arguments', () => {
  const marker = join(files.dir, 'INJECTED');
  const injections = [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `; touch ${marker}`,
    `| touch ${marker}`,
    `&& touch ${marker}\n`,
    `\ntouch ${marker}\n`,
    `'; touch ${marker}; '`,
    `"$(touch ${marker})"`,
    `\${IFS}touch\${IFS}${marker}`,
  ];
  const payload = fc
    .tuple(fc.constantFrom(...injections), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 64 }))
    .map(([injection, text, bytes]) => Buffer.concat([Buffer.from(text + injection), Buffer.from(bytes)]));

  it.each([
    ['-e /bin/cat', ['-e', '/bin/cat']],
    ["-c cat (the shell runs cat; peer data is cat's stdin)", ['-c', 'cat']],
  ])(
    '%s: random payloads with shell syntax come back byte for byte, nothing runs',
    async (_name, exec) => {
      const { proc, port } = await listener(['-k', ...exec], { stdio: ['ignore', 'pipe', 'pipe'] });
      await fc.assert(
        fc.asyncProperty(payload, async (data) => {
          expect((await exchange(port, data)).equals(data)).toBe(true);
          expect(existsSync(marker)).toBe(false);
        }),
        { numRuns: inCI ? 200 : 40 },
      );
      expect(proc.stderr()).not.toContain('touch');
    },
    120_000,
  );

  it('-e /bin/sh exposes a shell to whoever connects; --allow limits it to the listed peer', async () => {
    const { proc, port } = await listener(['-k', '--allow', '127.0.0.2', '-e', '/bin/sh'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = pidOf(proc);
    // The listed peer has a shell: this is the risk -e /bin/sh (or -c sh) takes.
    expect((await exchange(port, 'echo shell-for-$((6*7))\n', '127.0.0.2')).toString()).toBe(
      'shell-for-42\n',
    );
    const noChild = (): boolean => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() === '';
    await waitFor(noChild, "the first session's shell to exit");
    // Anyone else is closed before a program starts: no output, no child process.
    expect((await exchange(port, `touch ${marker}\n`, '127.0.0.3')).length).toBe(0);
    await proc.stderrLine(/Refused connection from 127\.0\.0\.3 \d+: not in --allow\n/);
    expect(noChild()).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('an access list with no entries fails closed', () => {
  // Was a bug (fixed; see docs/reliability.md): an --allowfile that lists nobody (empty, or only comments) gives an empty list, which
  // src/net/access.ts buildList() turns into "no --allow": everyone gets in. It must admit
  // nobody, or refuse to start (see also bad-input "an empty --allow").
  it('an --allowfile with only comments: the listener admits nobody (or refuses to start)', async () => {
    const list = files.file('allow-nobody', '# nobody yet\n');
    const proc = tsnc(['-l', '-v', '-n', '--allowfile', list, '-p', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const first = await Promise.race([proc.exited(), proc.stderrLine(/Listening on \S+ (\d+)\n/)]);
    if (typeof first === 'number') {
      expect(first).toBe(1);
      return;
    }
    const conn = await peerClient(Number(first[1]));
    conn.socket.end('intruder\n');
    await proc.stderrLine(/Refused connection from 127\.0\.0\.1 \d+/, 3000);
    expect(proc.stdout().toString()).toBe('');
  });
});

/** Who got in: one listener (-k) with rules, visited from several addresses in the netns. */
interface Case {
  readonly name: string;
  readonly listen: readonly string[];
  /** [source address, destination address, admitted?] */
  readonly visits: readonly (readonly [string, string, boolean])[];
}

const V4 = '127.0.0.1';
const V6 = '::1';
const cases: readonly Case[] = [
  {
    name: 'IPv4 /31 edges: .2 and .3 in, .1 and .4 out',
    listen: ['-4', '--allow', '127.0.0.2/31'],
    visits: [
      ['127.0.0.2', V4, true],
      ['127.0.0.3', V4, true],
      ['127.0.0.1', V4, false],
      ['127.0.0.4', V4, false],
    ],
  },
  {
    name: 'IPv4 /32 is one address; host bits in a CIDR are ignored (127.0.0.1/8 is 127/8)',
    listen: ['-4', '--allow', '127.0.0.9/32', '--allow', '127.9.9.9/8', '--deny', '127.1.0.0/16'],
    visits: [
      ['127.0.0.9', V4, true],
      ['127.200.1.1', V4, true],
      ['127.1.2.3', V4, false],
    ],
  },
  {
    name: '--deny wins over --allow; repeated and comma-separated entries all count',
    listen: ['--allow', '127.0.0.0/24', '--deny', '127.0.0.5,127.0.0.6', '--deny', '127.0.0.7'],
    visits: [
      ['127.0.0.4', V4, true],
      ['127.0.0.5', V4, false],
      ['127.0.0.6', V4, false],
      ['127.0.0.7', V4, false],
      ['127.0.1.4', V4, false],
    ],
  },
  {
    name: 'v4-mapped: on a dual-stack -6 listener an IPv4 peer is ::ffff:a.b.c.d; a plain IPv4 rule matches it',
    listen: ['-6', '--allow', '127.0.0.2'],
    visits: [
      ['127.0.0.2', V4, true],
      ['127.0.0.3', V4, false],
      ['fd00:db8::1', V6, false],
    ],
  },
  {
    name: 'v4-mapped rules (::ffff:127.0.0.2, ::ffff:127.0.0.0/104) match IPv4 peers',
    listen: ['-6', '--allow', '::ffff:127.0.0.2', '--allow', 'fd00:db8::1', '--deny', '::ffff:127.0.0.0/104'],
    visits: [
      ['127.0.0.2', V4, false],
      ['fd00:db8::1', V6, true],
    ],
  },
  {
    name: 'v4-mapped allow: ::ffff:127.0.0.2 lets the IPv4 peer 127.0.0.2 in, not .3',
    listen: ['-6', '--allow', '::ffff:127.0.0.2'],
    visits: [
      ['127.0.0.2', V4, true],
      ['127.0.0.3', V4, false],
    ],
  },
  {
    name: 'IPv6 /127 edges: ::0 and ::1 in, ::2 out; a v6 list does not admit IPv4 peers',
    listen: ['-6', '--allow', 'fd00:db8::/127'],
    visits: [
      ['fd00:db8::1', V6, true],
      ['fd00:db8::2', V6, false],
      ['::1', V6, false],
      ['127.0.0.2', V4, false],
    ],
  },
  {
    name: 'IPv6 /64 with a /128 hole; another /64 stays out',
    listen: ['-6', '--allow', 'fd00:db8::/64', '--deny', 'fd00:db8::2/128'],
    visits: [
      ['fd00:db8::1', V6, true],
      ['fd00:db8::3', V6, true],
      ['fd00:db8::2', V6, false],
      ['fd00:db8:0:1::1', V6, false],
    ],
  },
  {
    name: '0.0.0.0/0 admits every IPv4 peer and no IPv6 peer',
    listen: ['-6', '--allow', '0.0.0.0/0'],
    visits: [
      ['127.3.2.1', V4, true],
      ['::1', V6, false],
    ],
  },
  {
    name: '::/0 admits IPv6 peers and, through the mapped range, IPv4 peers too (document: use --allow 0.0.0.0/0,::/0 on purpose)',
    listen: ['-6', '--allow', '::/0'],
    visits: [
      ['::1', V6, true],
      ['127.0.0.2', V4, true],
    ],
  },
  {
    name: '--deny ::1 on a -6 listener keeps IPv6 loopback out, IPv4 loopback in',
    listen: ['-6', '--deny', '::1'],
    visits: [
      ['::1', V6, false],
      ['127.0.0.1', V4, true],
    ],
  },
];

describe.skipIf(!canUseRoot)(
  `--allow / --deny edge cases (test netns, extra IPv6 addresses)${ROOT_NOTE}`,
  () => {
    const ns = new Netns('acl');
    beforeAll(() => {
      ns.create();
      for (const address of ['fd00:db8::1', 'fd00:db8::2', 'fd00:db8::3', 'fd00:db8:0:1::1']) {
        ns.ip('-6', 'addr', 'add', `${address}/128`, 'dev', 'lo', 'nodad');
      }
    });
    afterAll(() => ns.remove());

    let visit = 0;
    for (const c of cases) {
      itAsRoot(
        `${c.name}: ${c.listen.join(' ')}`,
        async () => {
          const proc = ns.tsnc(['-l', '-k', '-v', '-n', ...c.listen, '-p', '0'], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          const port = Number((await proc.stderrLine(/Listening on \S+ (\d+)\n/))[1]);
          const seen: string[] = [];
          // Each address appears once per case, so its refusal line is its own.
          for (const [from, to] of c.visits) {
            visit += 1;
            const tag = `visit-${visit} from ${from}`;
            const line = files.file(`visit-${visit}`, `${tag}\n`);
            const peer = ns.start(process.execPath, [
              PEER,
              'connect',
              to,
              String(port),
              line,
              '--from',
              from,
              '--hold',
              '0',
            ]);
            await peer.exited();
            const refused = new RegExp(
              `Refused connection from (::ffff:)?${from.replace(/[.:]/g, '\\$&')} \\d+`,
            );
            await waitFor(
              () => proc.stdout().toString().includes(tag) || refused.test(proc.stderr()),
              `a verdict for ${from}`,
            );
            seen.push(`${from}:${proc.stdout().toString().includes(tag) ? 'in' : 'out'}`);
          }
          expect(seen).toEqual(c.visits.map(([from, , admitted]) => `${from}:${admitted ? 'in' : 'out'}`));
        },
        60_000,
      );
    }
  },
);

describe.skipIf(!canUseRoot)(`the listen address seen from another host (two test netns)${ROOT_NOTE}`, () => {
  const a = new Netns('bind-a');
  const b = new Netns('bind-b');
  let addrA = '';
  beforeAll(() => {
    a.create();
    b.create();
    ({ addrA } = vethPair(a, b, 242));
  });
  afterAll(async () => {
    await a.remove();
    await b.remove();
  });

  const tryFromB = async (args: readonly string[]): Promise<{ reached: boolean; proc: Proc }> => {
    const proc = a.tsnc(['-l', '-v', '-n', ...args, '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const port = Number((await proc.stderrLine(/Listening on \S+ (\d+)\n/))[1]);
    const line = files.file(`from-b-${port}`, 'from host B\n');
    const peer = b.start(process.execPath, [PEER, 'connect', addrA, String(port), line, '--hold', '0']);
    const status = await peer.exited();
    if (status === 0) expect(await proc.exited()).toBe(0);
    return { reached: status === 0 && proc.stdout().toString() === 'from host B\n', proc };
  };

  itAsRoot('no address: binds 0.0.0.0 (as nc), so another host reaches it', async () => {
    const { reached, proc } = await tryFromB([]);
    expect(reached).toBe(true);
    expect(proc.stderr()).toMatch(/^Listening on 0\.0\.0\.0 \d+\n/);
  });

  itAsRoot('-s 127.0.0.1: local only, another host is refused', async () => {
    const { reached, proc } = await tryFromB(['-s', '127.0.0.1']);
    expect(reached).toBe(false);
    expect(proc.child.exitCode).toBeNull();
  });

  itAsRoot('-6: binds a dual-stack ::, reachable over IPv4 from another host too', async () => {
    expect((await tryFromB(['-6'])).reached).toBe(true);
  });
});

describe('dependencies', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean; hasInstallScript?: boolean }>;
  };
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
    files?: string[];
  };

  it('the lockfile is committed', () => {
    expect(execFileSync('git', ['ls-files', 'package-lock.json'], { cwd: root, encoding: 'utf8' })).toBe(
      'package-lock.json\n',
    );
  });

  it('no install script is needed at run time (none in the production tree, none of our own)', () => {
    const production = Object.entries(lock.packages).filter(
      ([path, entry]) => path !== '' && entry.dev !== true && entry.devOptional !== true,
    );
    expect(production.filter(([, entry]) => entry.hasInstallScript === true).map(([path]) => path)).toEqual(
      [],
    );
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts?.[hook]).toBeUndefined();
  });

  it('the shipped CLI loads only Node builtins, its own files and the production dependencies', () => {
    const allowed = new Set(Object.keys(pkg.dependencies ?? {}));
    // What the package ships (package.json files): the bundle, with yargs and yargs-parser inside it.
    // dist/*.js, tsc's unbundled output for a checkout, may import the dev tree.
    const shipped = (pkg.files ?? []).filter((file) => /\.c?js$/.test(file));
    expect(shipped).toContain('dist/tsnc.cjs');
    const specifiers = shipped.flatMap((file) =>
      [
        ...readFileSync(join(root, file), 'utf8').matchAll(
          /(?:\bfrom|\bimport\(|\brequire\()\s*['"]([^'"]+)['"]/g,
        ),
      ].map((m) => m[1] ?? ''),
    );
    expect(specifiers.length).toBeGreaterThan(0);
    const foreign = specifiers.filter(
      (s) =>
        !s.startsWith('node:') &&
        !s.startsWith('.') &&
        !builtinModules.includes(s) &&
        !allowed.has(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? '')),
    );
    expect(foreign).toEqual([]);
  });

  it('npm audit --omit=dev reports no vulnerability', async (context) => {
    let output: string;
    try {
      ({ stdout: output } = await promisify(execFile)('npm', ['audit', '--omit=dev', '--json'], {
        cwd: root,
        timeout: 60_000,
      }));
    } catch (error) {
      // npm audit exits 1 both for findings (JSON on stdout) and when the audit endpoint fails.
      output = (error as { stdout?: string }).stdout ?? '';
    }
    const report = JSON.parse(output || '{}') as {
      metadata?: { vulnerabilities?: Record<string, number> };
      statusCode?: number;
      error?: { code?: string };
    };
    if (report.metadata?.vulnerabilities === undefined) {
      const why = report.statusCode ?? report.error?.code ?? 'no report';
      context.skip(`npm audit could not run here: the audit endpoint answered ${why}`);
      return;
    }
    expect(report.metadata.vulnerabilities['total']).toBe(0);
  }, 90_000);
});
