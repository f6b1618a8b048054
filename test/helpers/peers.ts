import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

/** Where a real peer binary is, or undefined. */
export const which = (name: string): string | undefined => {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
};

const inCI = process.env['CI'] === 'true';

/**
 * `it` for a test that needs a real peer. Outside CI a missing peer skips the test and says why
 * in its name; under CI=true the test runs and fails (CI installs every peer).
 */
export const itWithPeer =
  (peer: string) =>
  (name: string, fn: () => Promise<void>, timeout?: number): void => {
    const missing = which(peer) === undefined && !inCI;
    it.skipIf(missing)(
      missing ? `${name} [skipped: ${peer} is not installed]` : name,
      async () => {
        if (which(peer) === undefined) throw new Error(`${peer} is not installed, and CI must have it`);
        await fn();
      },
      timeout,
    );
  };

/** The addon `npm run build` compiles next to the bundle (scripts/native.mjs). */
export const NATIVE_ADDON = fileURLToPath(new URL('../../dist/tsnc-native.node', import.meta.url));

/**
 * `it` for a test of -U -u, -T or TCP -I/-O, which need the native addon (and maybe a peer).
 * Without a C compiler at build time the addon is missing: a local run skips and says why;
 * under CI=true the test runs and fails.
 */
export const itWithNativeAnd =
  (peer: string | undefined) =>
  (name: string, fn: () => Promise<void>, timeout?: number): void => {
    const why = !existsSync(NATIVE_ADDON)
      ? 'dist/tsnc-native.node was not built (no C compiler?)'
      : peer !== undefined && which(peer) === undefined
        ? `${peer} is not installed`
        : undefined;
    const skip = why !== undefined && !inCI;
    it.skipIf(skip)(
      skip ? `${name} [skipped: ${why}]` : name,
      async () => {
        if (!existsSync(NATIVE_ADDON))
          throw new Error('dist/tsnc-native.node is missing, and CI must build it');
        if (peer !== undefined && which(peer) === undefined) {
          throw new Error(`${peer} is not installed, and CI must have it`);
        }
        await fn();
      },
      timeout,
    );
  };

/** `it` for a test that needs the native addon only. */
export const itWithNative = itWithNativeAnd(undefined);
