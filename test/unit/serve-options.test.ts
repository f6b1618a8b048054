// -l --serve FILE [--count N] -> ServeConfig: the listen settings, the file and the count.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/config.js';
import { parseArgs } from '../../src/options/argv.js';
import { resolveConfig } from '../../src/options/resolve.js';
import { parseServices } from '../../src/net/services.js';

const services = parseServices('http 80/tcp\n');
const command = (argv: string[]): Command => resolveConfig(parseArgs(argv), services);

describe('--serve -> ServeConfig', () => {
  it.each([
    [
      ['-l', '-p', '8001', '--serve', 'image.iso', '--count', '3'],
      { mode: 'serve', transport: 'tcp', port: 8001, file: 'image.iso', count: 3, maxConnections: 100 },
    ],
    [
      ['-lv', '-s', '127.0.0.1', '-p', 'http', '--serve=f', '-m', '5', '-w', '2'],
      {
        mode: 'serve',
        bindAddress: '127.0.0.1',
        port: 80,
        count: undefined,
        maxConnections: 5,
        idleTimeoutMs: 2000,
      },
    ],
    [
      ['-lU', '/tmp/s', '--serve', 'f'],
      { mode: 'serve', transport: 'unix', bindAddress: '/tmp/s', file: 'f' },
    ],
  ])('%j', (argv, expected) => {
    expect(command(argv)).toMatchObject({ kind: 'run', config: expected });
  });

  it('plain -l is still listen mode', () => {
    expect(command(['-l', '-p', '1'])).toMatchObject({ kind: 'run', config: { mode: 'listen' } });
  });
});
