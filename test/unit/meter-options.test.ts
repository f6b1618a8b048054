// --sha256/--progress: the meter is in the config only when asked for.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { humanBytes } from '../../src/io/meter.js';
import { parseArgs } from '../../src/options/argv.js';
import { resolveConfig } from '../../src/options/resolve.js';
import { parseServices } from '../../src/net/services.js';

const config = (argv: string[]): Config => {
  const command = resolveConfig(parseArgs(argv), parseServices(''));
  if (command.kind !== 'run') throw new Error(`not a run: ${command.kind}`);
  return command.config;
};

describe('--sha256 / --progress -> Config', () => {
  it.each([
    [['--sha256', 'h', '1'], { sha256: true, progress: false }],
    [['--progress', '-l', '-p', '1'], { sha256: false, progress: true }],
    [['--sha256', '--progress', '-N', 'h', '1'], { sha256: true, progress: true }],
  ])('%j', (argv, meter) => {
    expect(config(argv)).toMatchObject({ meter });
  });

  it('absent otherwise: the nc configs are unchanged', () => {
    expect('meter' in config(['h', '1'])).toBe(false);
    expect('meter' in config(['-l', '-p', '1'])).toBe(false);
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [32 * 1024 * 1024, '32.0 MiB'],
  ])('humanBytes(%i) = %s', (bytes, text) => {
    expect(humanBytes(bytes)).toBe(text);
  });
});

describe('--verify -> Config', () => {
  it('present only when asked for', () => {
    expect(config(['--verify', 'h', '1'])).toMatchObject({ verify: true });
    expect(config(['--verify', '-l', '-p', '1'])).toMatchObject({ verify: true });
    expect('verify' in config(['h', '1'])).toBe(false);
  });
});
