// -h: yargs lays the help out from the OPTIONS table without reading a package.json or a locale
// file (its strings stay English whatever LANG says); and only -h loads yargs at all (start-up).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_TABLE } from '../../src/errors.js';
import { HELP_COLUMNS, switchesOf } from '../../src/options/help.js';
import { OPTIONS, summaryOf } from '../../src/options/table.js';
import { CLI } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { peerServer } from '../helpers/peer.js';

const FILE_READS = fileURLToPath(new URL('fixtures/file-reads.cjs', import.meta.url));
const files = scratch();
afterAll(() => files.remove());

const help = (env: NodeJS.ProcessEnv = {}, cwd = files.dir): ReturnType<typeof spawnSync> =>
  spawnSync(process.execPath, [CLI, '-h'], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });

describe('-h, laid out by yargs', () => {
  it('banner, usage, every option with its value name and summary, the exit codes', () => {
    const { status, stdout, stderr } = help();
    expect(status).toBe(0);
    expect(stderr).toBe('');
    const lines = String(stdout).split('\n');
    expect(lines[0]).toMatch(/^tsnc \S+: a netcat that never hangs at the end of a transfer$/);
    expect(lines[1]).toMatch(/^usage: tsnc \[-46/);
    expect(lines).toContain('Command Summary:');
    for (const option of OPTIONS) {
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^  ${escape(switchesOf(option))} +${escape(summaryOf(option))}$`)),
      );
    }
    expect(lines).toContain('Exit status:');
    // An exit code's meaning may go on over the lines after it (indented past the codes).
    const exitText = lines
      .slice(lines.indexOf('Exit status:') + 1)
      .join('\n')
      .replace(/\n {3,}/g, ' ');
    for (const [code, meaning] of EXIT_TABLE) {
      expect(exitText).toMatch(new RegExp(`^  ${escape(code)} +${escape(meaning)}$`, 'm'));
    }
  });

  it('one screen of options: every line fits 80 columns, one line per option', () => {
    const lines = String(help().stdout).split('\n');
    // A tab is 8 columns on a terminal (the usage's continuation lines start with one).
    const widths = lines.map((line) => line.replace(/\t/g, ' '.repeat(8)).length);
    expect(HELP_COLUMNS).toBe(80);
    expect(Math.max(...widths)).toBeLessThanOrEqual(80);
    const start = lines.indexOf('Command Summary:') + 1;
    const table = lines.slice(start, lines.indexOf('', start));
    expect(table.length).toBe(OPTIONS.length);
    for (const line of table) expect(line).toMatch(/^ {2}-/);
  });

  it("-e's line says what the docs say: shell-like words, quotes honoured, no shell", () => {
    const line = String(help().stdout)
      .split('\n')
      .find((text) => text.startsWith('  -e, --exec program '));
    expect(line).toMatch(/split like shell words, quotes honoured, no shell$/);
  });

  it('reads no package.json and no locale file, even from inside a project with a yargs config', () => {
    // yargs reads the "yargs" key of the nearest package.json as parser settings.
    writeFileSync(
      join(files.dir, 'package.json'),
      JSON.stringify({ name: 'app', yargs: { 'short-option-groups': false } }),
    );
    const reads = join(files.dir, 'reads.txt');
    const result = spawnSync(process.execPath, ['--require', FILE_READS, CLI, '-h'], {
      cwd: files.dir,
      env: { ...process.env, LANG: 'de_DE.UTF-8', TSNC_FILE_READS: reads },
      encoding: 'utf8',
    });
    rmSync(join(files.dir, 'package.json'));
    expect(result.status).toBe(0);
    const paths = readFileSync(reads, 'utf8').split('\n').filter(Boolean);
    expect(paths.filter((path) => /package\.json$|locales|\.json$/.test(path))).toEqual([]);
  });
});

/** The launcher's bundle source: the string V8 compiles (scripts/bundle.mjs). */
const bundleSource = (): string => {
  const text = readFileSync(CLI, 'utf8');
  const start = text.indexOf('const code = ') + 'const code = '.length;
  return JSON.parse(text.slice(start, text.lastIndexOf(';', text.indexOf('let cachedData')))) as string;
};

interface Coverage {
  result: {
    url: string;
    functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[];
  }[];
}

/**
 * How often the code at this offset of the bundle ran, from V8's precise coverage
 * (NODE_V8_COVERAGE): the count of the innermost function or block around it.
 */
const timesRun = async (args: string[], offset: number): Promise<number> => {
  const dir = join(files.dir, `coverage-${args.join('_').replace(/\W/g, '')}`);
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: 'ignore',
    env: { ...process.env, NODE_V8_COVERAGE: dir },
  });
  expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
  const { readdirSync } = await import('node:fs');
  let innermost: { startOffset: number; endOffset: number; count: number } | undefined;
  for (const name of readdirSync(dir)) {
    const coverage = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Coverage;
    for (const script of coverage.result.filter((entry) => entry.url === `file://${CLI}`))
      for (const fn of script.functions)
        for (const range of fn.ranges)
          if (
            range.startOffset <= offset &&
            offset < range.endOffset &&
            (innermost === undefined ||
              range.endOffset - range.startOffset < innermost.endOffset - innermost.startOffset)
          )
            innermost = range;
  }
  expect(innermost).toBeDefined();
  return innermost?.count ?? -1;
};

describe('yargs runs for -h only', () => {
  // A string of yargs' own module body (yargs-factory.js): it runs once yargs is loaded.
  const source = bundleSource();
  const yargsBody = source.indexOf('copyDoubleDash');

  it('the probe sees yargs load for -h', async () => {
    expect(yargsBody).toBeGreaterThan(0);
    expect(await timesRun(['-h'], yargsBody)).toBe(1);
  });

  it('--version, -z HOST PORT and --completion do not load it', async () => {
    const peer = await peerServer();
    try {
      expect(await timesRun(['--version'], yargsBody)).toBe(0);
      expect(await timesRun(['-z', '127.0.0.1', String(peer.port)], yargsBody)).toBe(0);
      expect(await timesRun(['--completion', 'bash'], yargsBody)).toBe(0);
    } finally {
      peer.close();
    }
  });
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
