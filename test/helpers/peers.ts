import { execFileSync } from 'node:child_process';
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
