// Property tests of the argument parser (fast-check): random argv never gives a stack
// trace, an unhandled rejection, a Node warning, or an exit code outside the table
// (0, 1, 128+n). In-process over the parser for thousands of cases, and on the built CLI for a
// few hundred, inside a network namespace with a fake DNS so random host names stay there.
// --json is one of the generated options: its runs must write only schema-valid JSON lines.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseArgs } from '../../src/options/argv.js';
import { resolveConfig } from '../../src/options/resolve.js';
import { OPTIONS } from '../../src/options/table.js';
import { killAll } from '../helpers/cli.js';
import { parseJsonLine } from '../helpers/json-events.js';
import { scratch } from '../helpers/data.js';
import { AT_ONCE_MS, canUseRoot, CRASH, inCI, Netns, NXDOMAIN_DNS, ROOT_NOTE } from './kit.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const shortFlags = OPTIONS.filter((o) => o.short !== undefined && !o.takesValue).map((o) => `-${o.short}`);
const shortValued = OPTIONS.filter((o) => o.short !== undefined && o.takesValue).map((o) => o.short ?? '');
const longFlags = OPTIONS.filter((o) => o.long !== undefined).map((o) => o.long ?? '');
const letters = [...OPTIONS.map((o) => o.short ?? ''), 'Y', 'Z', 'j', 'o'].join('');

/** Numbers near every bound the parser has (ports, INT_MAX, ms overflow), as text. */
const edgyNumber = fc
  .oneof(
    fc.integer({ min: -70000, max: 70000 }),
    fc.constantFrom(0, 1, 65535, 65536, 2147483, 2147484, 2147483647, 2147483648, -2147483648, -2147483649),
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  )
  .map(String);

const junk = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '-',
    '--',
    '+1',
    ' 80',
    '80 ',
    '1e3',
    '0x10',
    '10-',
    '5-3-1',
    '1--2',
    '::',
    '[::1]',
  ),
  fc.string({ maxLength: 12 }),
);

/** A value for an option that takes one, or an operand (no '/': paths stay in the cwd). */
const word = (safe: boolean): fc.Arbitrary<string> =>
  fc
    .oneof(
      edgyNumber,
      junk,
      fc.constantFrom('127.0.0.1', '::1', 'localhost', '0.0.0.0', 'nonexistent.invalid', 'http', '1-3'),
    )
    .filter((w) => !safe || !w.includes('/'));

/**
 * One argv token or a few: known flags, clusters, options with values (glued or not), unknown
 * options, operands. -e/-c only ever get harmless programs: the CLI runs them.
 */
const token = (safe: boolean): fc.Arbitrary<string[]> =>
  fc.oneof(
    fc.constantFrom(...shortFlags).map((f) => [f]),
    fc.constantFrom(...longFlags).map((name) => [`--${name}`]),
    fc.tuple(fc.constantFrom(...longFlags), word(safe)).map(([name, value]) => [`--${name}=${value}`]),
    fc.string({ unit: fc.constantFrom(...letters), minLength: 1, maxLength: 5 }).map((c) => [`-${c}`]),
    fc
      .tuple(fc.constantFrom(...shortValued), word(safe), fc.boolean())
      .filter(([letter]) => letter !== 'e' && letter !== 'c')
      .map(([letter, value, glued]) => (glued ? [`-${letter}${value}`] : [`-${letter}`, value])),
    fc
      .tuple(fc.constantFrom('-e', '-c'), fc.constantFrom('/bin/cat', 'true', 'cat', "'unbalanced", ''))
      .map((t) => [...t]),
    fc.string({ maxLength: 8 }).map((name) => [`--${name}`]),
    word(safe).map((w) => [w]),
  );

/** Random tokens; one argv in four starts with --json, so its all-JSON stderr is tried every run. */
const argv = (safe: boolean): fc.Arbitrary<string[]> =>
  fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.array(token(safe), { maxLength: 7 }))
    .map(([json, tokens]) => [...(json === 0 ? ['--json'] : []), ...tokens.flat()]);

describe('the parser, in-process', () => {
  it('random argv: a Command or a one-line UsageError with exit code 1, nothing printed', () => {
    const log = vi.spyOn(console, 'log');
    const error = vi.spyOn(console, 'error');
    const write = vi.spyOn(process.stderr, 'write');
    try {
      fc.assert(
        fc.property(argv(false), (args) => {
          try {
            const command = resolveConfig(parseArgs(args));
            expect(['run', 'help', 'version']).toContain(command.kind);
          } catch (thrown) {
            expect(thrown).toBeInstanceOf(UsageError);
            const usage = thrown as UsageError;
            expect(usage.exitCode).toBe(1);
            // One line, in nc's voice (the user's own text may end in anything).
            expect(usage.message).not.toMatch(/^\s/);
            if (!args.some((arg) => arg.includes('\n'))) expect(usage.message).not.toContain('\n');
            if (usage.message === '') expect(usage.showUsage).toBe(true);
          }
        }),
        { numRuns: inCI ? 20_000 : 3000 },
      );
      expect(log).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();
      expect(write).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
      error.mockRestore();
      write.mockRestore();
    }
  });
});

/** A -v or diagnostic line tsnc may print; anything else on stderr is a finding. */
const KNOWN_LINE =
  /^(tsnc: .*|usage: tsnc .*|\t.*|Listening on .*|Bound on .*|Connection to .* succeeded!|Connection received on .*|Refused connection from .*)$/;

describe.skipIf(!canUseRoot)(`the built CLI, in a test netns with a fake DNS${ROOT_NOTE}`, () => {
  const ns = new Netns('fuzz');
  let dnsRestarts = 0;
  const startDns = async (): Promise<void> => {
    const { child } = await ns.helper('python3', [NXDOMAIN_DNS]);
    // The fixture stops after 200 queries or 30 s idle: start it again (bounded).
    child.once('exit', () => {
      if (dnsRestarts < 20 && !stopping) {
        dnsRestarts += 1;
        void startDns();
      }
    });
  };
  let stopping = false;
  beforeAll(async () => {
    ns.create();
    ns.localResolver(1);
    ns.etc('hosts', '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
    await startDns();
  });
  afterAll(async () => {
    stopping = true;
    await ns.remove();
  });

  /** Run one argv; a process still running after 2 s (listening, say) gets SIGTERM. */
  const runOne = async (args: string[]): Promise<void> => {
    const proc = ns.tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: files.dir });
    let terminated = false;
    const watchdog = setTimeout(() => {
      terminated = true;
      proc.kill('SIGTERM');
    }, 2000);
    let status: number;
    try {
      status = await proc.exited(2000 + AT_ONCE_MS + 5000);
    } finally {
      clearTimeout(watchdog);
    }
    const stderr = proc.stderr();
    const context = `argv ${JSON.stringify(args)} -> ${status}, stderr ${JSON.stringify(stderr)}`;
    expect(stderr, context).not.toMatch(CRASH);
    expect(terminated ? [0, 1, 143] : [0, 1], context).toContain(status);
    const lines = stderr.split('\n').slice(0, -1);
    if (lines[0]?.startsWith('{') === true) {
      // --json took effect: every line is an event valid under the schema, the last one the
      // summary with the process's exit status. Never a mix of JSON and plain lines.
      const events = lines.map((line) => parseJsonLine(line));
      expect(
        events.filter((e) => e.event === 'summary'),
        context,
      ).toHaveLength(1);
      expect(events.at(-1), context).toMatchObject({ event: 'summary', exitCode: status });
    } else {
      for (const line of lines) expect(line, context).toMatch(KNOWN_LINE);
    }
  };

  it(
    'random argv (four at a time): exit 0, 1 or 143 after our SIGTERM; only known stderr lines',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(argv(true), { minLength: 4, maxLength: 4 }), async (batch) => {
          await Promise.all(batch.map(runOne));
        }),
        { numRuns: inCI ? 60 : 12, endOnFailure: true },
      );
    },
    inCI ? 600_000 : 180_000,
  );
});
