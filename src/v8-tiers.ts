import { setFlagsFromString } from 'node:v8';

/**
 * V8 without its optimizing compiler, TurboFan, from the first session on. Sessions move data in
 * reads of up to 1 MiB (io/read-buffer.ts), so the JavaScript per byte is little and optimizing it
 * gains nothing measurable; TurboFan's first compilation, a moment into a transfer, pages in about
 * 4 MiB of its own code and takes 2-3 MiB more, which made a long transfer's peak RSS 15 % higher
 * than a short one's (bench/PROFILE.md §8). The relay leaves TurboFan on when a pipe on stdin stayed
 * at 64 KiB (no addon): per 64 KiB read the stream machinery needs it to keep up with nc (0.90x
 * without it, measured). Loaded only once a session starts (import() it): a scan or --version
 * would pay for node:v8, and flags set before the bundle is compiled would have to match its code
 * cache.
 */
export const limitOptimization = (): void => {
  setFlagsFromString('--max-opt=1');
};
