// --retry, --port-file, --fan-out, -o and --rate: options -> Config, and their pure parsers.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { expandTemplate, parseByteCount, templateProblem } from '../../src/options/extras.js';
import { parseServices } from '../../src/net/services.js';
import { configOf } from '../helpers/options.js';

const services = parseServices('http 80/tcp www\n');
const config = (argv: string[]): Config => configOf(argv, services);

describe('options -> Config', () => {
  it('--retry: deadline, its text and the --interval (default 1s) on the connect config', () => {
    expect(config(['--retry', '2m', 'db', '5432'])).toMatchObject({
      mode: 'connect',
      retry: { timeoutMs: 120_000, timeoutText: '2m', intervalMs: 1000 },
    });
    expect(config(['--retry', '5s', '--interval', '250ms', '-U', '/tmp/s'])).toMatchObject({
      transport: 'unix',
      retry: { timeoutMs: 5000, intervalMs: 250 },
    });
  });
  it('without the new options a config has none of their keys', () => {
    const plain = config(['-l', '-p', '8001']);
    for (const key of ['retry', 'portFile', 'fan', 'rateBytesPerSecond'])
      expect(plain).not.toHaveProperty(key);
  });
  it('--port-file on listen and --serve configs', () => {
    expect(config(['-l', '-p', '0', '--port-file', '/run/p'])).toMatchObject({
      mode: 'listen',
      portFile: '/run/p',
    });
    expect(config(['-l', '-p', '0', '--serve', '/etc/hosts', '--port-file', '/run/p'])).toMatchObject({
      mode: 'serve',
      portFile: '/run/p',
    });
  });
  it('--fan-out reads stdin; -o alone does not (-d), with --fan-out it does', () => {
    expect(config(['-lk', '-p', '1', '--fan-out'])).toMatchObject({
      readStdin: true,
      fan: { fanOut: true, lagLimitBytes: 4 * 1024 * 1024, lagLimitText: '4M', output: undefined },
    });
    expect(config(['-lk', '-p', '1', '-o', 'up-%n'])).toMatchObject({
      readStdin: false,
      fan: { fanOut: false, output: 'up-%n' },
    });
    expect(config(['-lk', '-p', '1', '--fan-out', '--fan-out-limit', '512K', '--output=x'])).toMatchObject({
      readStdin: true,
      fan: { fanOut: true, lagLimitBytes: 512 * 1024, lagLimitText: '512K', output: 'x' },
    });
  });
  it('--rate in bytes a second', () => {
    expect(config(['--rate', '10M', 'h', '1'])).toMatchObject({ rateBytesPerSecond: 10 * 1024 * 1024 });
    expect(config(['-l', '-p', '1', '--rate', '1.5k'])).toMatchObject({ rateBytesPerSecond: 1536 });
  });
});

describe('parseByteCount', () => {
  it.each([
    ['512', 512],
    ['512K', 524288],
    ['512k', 524288],
    ['10M', 10485760],
    ['10MiB', 10485760],
    ['10MB/s', 10485760],
    ['1G', 1073741824],
    ['0.5K', 512],
    ['1024G', 1024 ** 4],
  ] as const)('%s -> %i', (text, bytes) => {
    expect(parseByteCount(text)).toBe(bytes);
  });
  it.each([
    ['', 'invalid'],
    ['abc', 'invalid'],
    ['-1', 'invalid'],
    ['1T', 'invalid'],
    ['0', 'too small'],
    ['0.4', 'too small'],
    ['1025G', 'too large'],
  ] as const)('%j -> %s', (text, problem) => {
    expect(parseByteCount(text)).toBe(problem);
  });
});

describe('-o templates', () => {
  it.each([
    ['upload-%n', 3, '10.0.0.9', 'upload-3'],
    ['%a-%n.bin', 12, '::ffff:127.0.0.1', '127.0.0.1-12.bin'],
    ['%a', 1, 'fd00::2', 'fd00::2'],
    ['100%%-%n', 2, '1.2.3.4', '100%-2'],
    ['plain', 7, '1.2.3.4', 'plain'],
  ] as const)('%s for connection %i from %s -> %s', (template, n, address, name) => {
    expect(templateProblem(template)).toBeUndefined();
    expect(expandTemplate(template, n, address)).toBe(name);
  });
  it.each([
    ['up-%x', '-o: invalid %x in template: up-%x'],
    ['up-%', '-o: invalid % in template: up-%'],
    ['', '-o: missing file name'],
  ])('%j -> %s', (template, problem) => {
    expect(templateProblem(template)).toBe(problem);
  });
});
