import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A scratch folder for one test file; remove() deletes it. */
export const scratch = (): {
  dir: string;
  file(name: string, data: Buffer | string): string;
  remove(): void;
} => {
  const dir = mkdtempSync(join(tmpdir(), 'tsnc-test-'));
  return {
    dir,
    file: (name, data) => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
};

/** Random bytes, so a transfer that reorders or drops anything is caught by sha256. */
export const randomPayload = (size: number): Buffer => randomBytes(size);
