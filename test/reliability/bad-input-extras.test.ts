// Bad input for --retry, --port-file, --fan-out, -o and --rate: each row exits 1 with one
// `tsnc: ...` line and nothing else, before any socket exists (listen rows carry -v, so a
// socket made would have said `Listening on`), never a stack trace.
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, tsnc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { CRASH } from './kit.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());
const missing = join(files.dir, 'no-such-dir');
const aFile = files.file('a-file', 'x');

type Row = readonly [args: readonly string[], line: string];

const rows: readonly Row[] = [
  [['--retry', '5x', '127.0.0.1', '1'], '--retry duration invalid: 5x'],
  [['--retry', '0', '127.0.0.1', '1'], '--retry duration invalid: 0'],
  [['--retry', '30d', '127.0.0.1', '1'], '--retry duration invalid: 30d'],
  [['--retry', '1000h', '127.0.0.1', '1'], '--retry duration too large: 1000h'],
  [['--retry', '5s', '--interval', 'soon', '127.0.0.1', '1'], '--interval duration invalid: soon'],
  [['--interval', '1s', '127.0.0.1', '1'], 'must use --wait with --interval'],
  [['--retry', '5s', '-lv', '-p', '0'], 'cannot use --retry and -l'],
  [['--retry', '5s', '-z', '127.0.0.1', '1'], 'cannot use --retry and -z'],
  [['--retry', '5s', '-u', '127.0.0.1', '1'], 'cannot use --retry and -u'],
  [['--retry', '5s', '127.0.0.1', '1', '2'], 'cannot use --retry and a port list'],
  [['--retry', '5s', '127.0.0.1', '1-9'], 'cannot use --retry and a port list'],
  [['--wait', '--retry', '5s', '127.0.0.1:1'], 'cannot use --wait and --retry'],
  [
    ['--port-file', join(missing, 'port'), '-lv', '-p', '0'],
    `--port-file ${join(missing, 'port')}: No such file or directory`,
  ],
  [
    ['--port-file', join(aFile, 'port'), '-lv', '-p', '0'],
    `--port-file ${join(aFile, 'port')}: Not a directory`,
  ],
  [['--port-file', '', '-lv', '-p', '0'], '--port-file: missing file name'],
  [['--port-file', join(files.dir, 'p'), '127.0.0.1', '1'], 'must use -l with --port-file'],
  [['--port-file', join(files.dir, 'p'), '-lvU', join(files.dir, 's')], 'cannot use --port-file and -U'],
  [['--fan-out', '-lv', '-p', '0'], 'must use -k with --fan-out'],
  [['--fan-out', '127.0.0.1', '1'], 'must use -l with --fan-out'],
  [['--fan-out', '-lkv', '-p', '0', '-e', '/bin/cat'], 'cannot use --fan-out and -e'],
  [['--fan-out', '-lkv', '-p', '0', '-c', 'cat'], 'cannot use --fan-out and -c'],
  [['--fan-out', '-lkv', '-p', '0', '--serve', aFile], 'cannot use --fan-out and --serve'],
  [['--fan-out', '-lkuv', '-p', '0'], 'cannot use --fan-out and -u'],
  [['--fan-out-limit', '1M', '-lkv', '-p', '0'], 'must use --fan-out with --fan-out-limit'],
  [['--fan-out', '--fan-out-limit', 'lots', '-lkv', '-p', '0'], 'fan-out limit invalid: lots'],
  [['--fan-out', '--fan-out-limit', '0', '-lkv', '-p', '0'], 'fan-out limit too small: 0'],
  [['-o', 'up-%n', '-lv', '-p', '0'], 'must use -k with -o'],
  [['-o', 'up-%n', '127.0.0.1', '1'], 'must use -l with -o'],
  [['-o', 'up-%x', '-lkv', '-p', '0'], '-o: invalid %x in template: up-%x'],
  [['-o', 'up-%', '-lkv', '-p', '0'], '-o: invalid % in template: up-%'],
  [['-o', '', '-lkv', '-p', '0'], '-o: missing file name'],
  [
    ['-o', join(missing, 'up-%n'), '-lkv', '-p', '0'],
    `-o ${join(missing, 'up-%n')}: No such file or directory`,
  ],
  [['-o', 'up-%n', '-lkv', '-p', '0', '-e', '/bin/cat'], 'cannot use -o and -e'],
  [['-o', 'up-%n', '-lkuv', '-p', '0'], 'cannot use -o and -u'],
  [['--rate', 'fast', '127.0.0.1', '1'], 'rate invalid: fast'],
  [['--rate', '0', '127.0.0.1', '1'], 'rate too small: 0'],
  [['--rate', '-5K', '127.0.0.1', '1'], 'rate invalid: -5K'],
  [['--rate', '5T', '127.0.0.1', '1'], 'rate invalid: 5T'],
  [['--rate', '2048G', '127.0.0.1', '1'], 'rate too large: 2048G'],
  [['--rate', '1M', '-d', '127.0.0.1', '1'], 'cannot use --rate and -d'],
  [['--rate', '1M', '-z', '127.0.0.1', '1'], 'cannot use --rate and -z'],
  [['--rate', '1M', '-e', '/bin/cat', '127.0.0.1', '1'], 'cannot use --rate and -e'],
  [['--rate', '1M', '-lkv', '-p', '0', '-o', 'up-%n'], 'cannot use --rate and -o'],
  [['--wait', '--rate', '1M', '127.0.0.1:1'], 'cannot use --wait and --rate'],
];

describe('bad input for --retry, --port-file, --fan-out, -o, --rate', () => {
  it.each(rows)('%j -> %s', async (args, line) => {
    const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await proc.exited(10_000)).toBe(1);
    expect(proc.stderr()).not.toMatch(CRASH);
    expect(proc.stdout().length).toBe(0);
    expect(proc.stderr()).toBe(`tsnc: ${line}\n`);
  });
});
