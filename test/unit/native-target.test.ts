// Which prebuilt addon the npm package loads: the target for platform, CPU and C library, and the
// C library read from a program's ELF interpreter.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { libcOfProgram, prebuiltTarget } from '../../src/net/native.js';

describe('prebuiltTarget', () => {
  it.each([
    ['linux', 'x64', 'gnu', 'linux-x64-gnu'],
    ['linux', 'arm64', 'gnu', 'linux-arm64-gnu'],
    ['linux', 'x64', 'musl', 'linux-x64-musl'],
    ['linux', 'arm64', 'musl', undefined],
    ['linux', 'ia32', 'gnu', undefined],
    ['darwin', 'arm64', undefined, undefined],
    ['linux', 'x64', undefined, undefined],
  ] as const)('%s %s %s -> %s', (platform, arch, libc, target) => {
    expect(prebuiltTarget(platform, arch, libc)).toBe(target);
  });
});

describe('libcOfProgram', () => {
  const elf = (interpreter: string): Uint8Array =>
    Buffer.concat([
      Buffer.from('\x7fELF\x02\x01\x01', 'latin1'),
      Buffer.alloc(600),
      Buffer.from(`${interpreter}\0`),
    ]);

  it.each([
    ['/lib/ld-musl-x86_64.so.1', 'musl'],
    ['/lib/ld-musl-aarch64.so.1', 'musl'],
    ['/lib64/ld-linux-x86-64.so.2', 'gnu'],
    ['/lib/ld-linux-aarch64.so.1', 'gnu'],
    ['', undefined],
  ] as const)('interpreter %j -> %s', (interpreter, libc) => {
    expect(libcOfProgram(elf(interpreter))).toBe(libc);
  });

  it('this Node (glibc on Debian) is gnu', () => {
    expect(libcOfProgram(readFileSync(process.execPath).subarray(0, 4096))).toBe('gnu');
  });
});
