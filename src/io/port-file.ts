// --port-file: the bound port, for scripts that start a listener on -p 0 and must learn its port.
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { atExit } from '../at-exit.js';
import { errnoText, TsncError } from '../errors.js';
import { messages } from '../messages.js';

/**
 * Write `PORT\n` to path atomically (a temporary file in the same directory, then rename: a
 * reader sees no file or the whole line, never an empty one), and remove it at exit, however
 * tsnc ends (src/at-exit.ts). Throws TsncError if it cannot be written.
 */
export const publishPort = (path: string, port: number): void => {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${port}\n`, { mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Never made.
    }
    throw new TsncError(messages.pathFailed(`--port-file ${path}`, errnoText(error)));
  }
  atExit(() => unlinkSync(path));
};
