// Start-up is what shell loops pay for (the target: `tsnc -z HOST PORT` within 1.5x `node -e 0`).
// Benchmarks measure the time; this test guards what makes it: the common paths load no Node
// built-in that only a rare option needs. A stray top-level import (node:module for
// createRequire, node:tls, node:crypto, ...) fails here instead of slowing every start.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { peerServer } from '../helpers/peer.js';

const PRELOAD = fileURLToPath(new URL('fixtures/module-list.cjs', import.meta.url));
const CACHE_PROBE = fileURLToPath(new URL('fixtures/code-cache-probe.cjs', import.meta.url));
const files = scratch();
afterAll(() => files.remove());

/** The built-ins `node dist/tsnc.cjs ...args` loads, as NativeModule names. */
const modulesLoadedBy = async (args: string[]): Promise<string[]> => {
  const list = join(files.dir, `modules-${args.join('_').replace(/\W/g, '')}.txt`);
  const child = spawn(process.execPath, ['--require', PRELOAD, CLI, ...args], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, TSNC_MODULE_LIST: list },
  });
  const status = await new Promise((resolve) => child.on('close', resolve));
  expect(status).toBe(0);
  return readFileSync(list, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('NativeModule '))
    .map((line) => line.slice('NativeModule '.length));
};

/**
 * Built-ins that only rare options need (--ssl, --sha256/--json, -e/-c, -u, --serve, the addon), and
 * v8, which only a session needs (src/v8-tiers.ts).
 */
const RARE = [
  'v8',
  'sea',
  'module',
  'internal/modules/esm/loader',
  'tls',
  'crypto',
  'child_process',
  'dgram',
  'fs/promises',
  'readline',
];

describe('start-up loads only what the common paths need', () => {
  it('--version', async () => {
    const loaded = await modulesLoadedBy(['--version']);
    expect(loaded).toContain('net');
    expect(loaded.filter((name) => RARE.includes(name))).toEqual([]);
  });

  it('-z HOST OPENPORT (the health check)', async () => {
    const peer = await peerServer();
    try {
      const loaded = await modulesLoadedBy(['-z', '127.0.0.1', String(peer.port)]);
      expect(loaded.filter((name) => RARE.includes(name))).toEqual([]);
    } finally {
      peer.close();
    }
  });

  it('the bundle is compiled from the code cache the build made, and V8 accepts it', async () => {
    const probe = join(files.dir, 'code-cache.json');
    const child = spawn(process.execPath, ['--require', CACHE_PROBE, CLI, '--version'], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, TSNC_CODE_CACHE_PROBE: probe },
    });
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    expect(JSON.parse(readFileSync(probe, 'utf8'))).toEqual([{ withCache: true, rejected: false }]);
  });
});
