/**
 * What must be undone however tsnc ends, also by SIGINT/SIGTERM/SIGHUP (src/cli.ts runs these
 * before it re-raises the signal): the -U -u client's temporary socket and its folder.
 */
const tasks = new Set<() => void>();

/** Run task at exit unless the returned function is called first (the owner undid it itself). */
export const atExit = (task: () => void): (() => void) => {
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
};

/** Run every pending task once (each is synchronous; a failure does not stop the others). */
export const runAtExit = (): void => {
  for (const task of [...tasks]) {
    tasks.delete(task);
    try {
      task();
    } catch {
      // Already gone: nothing to undo.
    }
  }
};
