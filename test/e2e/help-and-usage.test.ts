// What -h, --version and the usage say, and when they win: the built CLI next to nc.openbsd.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, tsnc } from '../helpers/cli.js';
import { itWithPeer } from '../helpers/peers.js';

afterEach(killAll);

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

const run = async (args: readonly string[]): Promise<Outcome> => {
  const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const status = await proc.exited();
  return { status, stdout: proc.stdout().toString(), stderr: proc.stderr() };
};

const nc = (args: readonly string[]): Outcome => {
  const result = spawnSync('nc.openbsd', args, { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
};

/** The columns a line takes on a terminal (a tab is 8). */
const columns = (line: string): number => line.replace(/^\t/, ' '.repeat(8)).length;

describe('the usage, wrapped as nc.openbsd wraps its own', () => {
  itWithPeer('nc.openbsd')('the same shape: 80 columns, continuation lines, the operands last', async () => {
    const ours = (await run([])).stderr;
    const theirs = nc([]).stderr;
    for (const usage of [ours, theirs]) {
      const lines = usage.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(2);
      expect(lines[0]).toMatch(/^usage: \S+ \[-[0-9A-Za-z]+\] \[/);
      for (const line of lines.slice(1)) expect(line).toMatch(/^\t {2}\[/);
      for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(80);
      expect(lines.at(-1)).toBe('\t  [destination] [port]');
    }
  });

  it('every short option is in it, and no single long option stands for all the others', async () => {
    const usage = (await run([])).stderr;
    const help = (await run(['-h'])).stdout;
    const shorts = [...help.matchAll(/^\s+-(\w)[ ,]/gm)].map((match) => match[1] ?? '');
    expect(shorts.length).toBeGreaterThan(20);
    const flags = /^usage: tsnc \[-(\w+)\]/.exec(usage)?.[1] ?? '';
    for (const letter of shorts) {
      expect(flags.includes(letter) || usage.includes(`[-${letter} `)).toBe(true);
    }
    expect(usage).toContain('[--long-option ...]');
    expect(usage).not.toContain('--no-shutdown');
  });

  it('installed as nc (messages say nc), it is wrapped for that name too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsnc-usage-'));
    try {
      symlinkSync(CLI, join(dir, 'nc'));
      const usage = spawnSync(process.execPath, [join(dir, 'nc')], { encoding: 'utf8' }).stderr;
      expect(usage).toMatch(/^usage: nc \[/);
      for (const line of usage.trimEnd().split('\n')) expect(columns(line)).toBeLessThanOrEqual(80);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('-h and --version end the command line, as -h does in nc.openbsd', () => {
  itWithPeer('nc.openbsd')(
    '-h ends the command line: the same exit status as nc.openbsd for what comes after it or before',
    async () => {
      for (const args of [
        ['-h', '-Y'],
        ['-h', '-p'],
        ['-h', '--no-such-option'],
        ['-hY'],
        ['-l', '-h', '-Y'],
        ['-Y', '-h'],
        ['-h', '1', '2', '3'],
      ]) {
        const ours = await run(args);
        const theirs = nc(args);
        expect({ args, status: ours.status }).toEqual({ args, status: theirs.status });
        if (ours.status === 0) {
          expect(ours.stdout).toMatch(/^tsnc /);
          expect(ours.stderr).toBe('');
        } else {
          expect(ours.stderr).toMatch(/^tsnc: invalid option -- 'Y'\nusage: /);
        }
      }
    },
  );

  it('--version, then a bad option: the version, exit 0; the bad option first: an error', async () => {
    const version = await run(['--version', '-Y']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^tsnc /);
    expect((await run(['-Y', '--version'])).status).toBe(1);
    // The option itself is still checked.
    expect((await run(['--help=1', '-Y'])).stderr).toMatch(
      /^tsnc: option '--help' doesn't allow an argument\n/,
    );
  });

  itWithPeer('nc.openbsd')('-- -l: a host named -l and no port, `missing port number` as nc', async () => {
    const ours = await run(['--', '-l']);
    expect(ours).toEqual({ status: 1, stdout: '', stderr: 'tsnc: missing port number\n' });
    expect(nc(['--', '-l']).stderr).toBe('nc.openbsd: missing port number\n');
  });
});

describe('what --help says is what tsnc does', () => {
  it('-e splits like shell words, --send-only waits for the peer (the behaviour: exec and half-close tests)', async () => {
    const help = (await run(['-h'])).stdout;
    const row = (name: string): string => help.split('\n').find((line) => line.includes(name)) ?? '';
    expect(row('--exec')).toContain('split like shell words, quotes honoured');
    expect(row('--exec')).not.toContain('split on spaces');
    expect(row('--send-only')).toContain("exit at the peer's EOF");
    expect(row('--send-only')).not.toMatch(/exit once stdin is sent|-q 0/);
  });

  it('every docs/ file --help names is in the package npm would publish', async () => {
    const help = (await run(['-h'])).stdout;
    const named = [...help.matchAll(/\bdocs\/[\w.-]+/g)].map((match) => match[0]);
    expect(named).toContain('docs/json.md');
    // --ignore-scripts: packing must not run the build (prepare) in the middle of a test run.
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as [{ files: { path: string }[] }];
    const shipped = new Set(pack.files.map((file) => file.path));
    for (const path of named) expect({ path, shipped: shipped.has(path) }).toEqual({ path, shipped: true });
    expect(shipped.has('dist/tsnc.cjs')).toBe(true);
  });
});
