// Network namespaces a test makes and deletes (the only non-loopback networks tests may use),
// and the root gating that goes with them.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { CLI, start, type Proc } from './cli.js';

export const isRoot = process.getuid?.() === 0;
export const inCI = process.env['CI'] === 'true';
/** Tests that need root run as root, and always under CI=true (CI runs as root). */
export const canUseRoot = isRoot || inCI;
export const ROOT_NOTE = canUseRoot ? '' : ' [skipped: needs root for ip netns]';

/** `it` for a test that needs root: skipped outside CI with the reason in its name. */
export const itAsRoot = (name: string, fn: () => Promise<void>, timeout?: number): void => {
  it.skipIf(!canUseRoot)(`${name}${ROOT_NOTE}`, fn, timeout);
};

const run = (command: string, args: readonly string[]): string =>
  execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * A network namespace this test run made (name carries our pid, so parallel runs never meet),
 * with lo up. remove() deletes it and its /etc/netns files; call it from afterAll.
 */
export class Netns {
  readonly name: string;
  private readonly etcDir: string;
  /** Long-lived helpers (DNS fixtures, peers) started in it, ended by PID in remove(). */
  private readonly helpers = new Set<ChildProcess>();

  constructor(tag: string) {
    this.name = `tsnc-${tag}-${process.pid}`;
    this.etcDir = `/etc/netns/${this.name}`;
  }

  create(): this {
    run('ip', ['netns', 'add', this.name]);
    this.ip('link', 'set', 'lo', 'up');
    return this;
  }

  /** `ip -n NAME ...` */
  ip(...args: string[]): string {
    return run('ip', ['-n', this.name, ...args]);
  }

  /** Run a command inside the namespace, synchronously. */
  exec(command: string, ...args: string[]): string {
    return run('ip', ['netns', 'exec', this.name, command, ...args]);
  }

  /**
   * A file that `ip netns exec` bind-mounts over /etc/FILE inside the namespace (resolv.conf,
   * hosts), so name lookups there never leave it.
   */
  etc(file: string, text: string): void {
    mkdirSync(this.etcDir, { recursive: true });
    writeFileSync(join(this.etcDir, file), text);
  }

  /**
   * Name lookups in the namespace ask a DNS on 127.0.0.1 (a fixture the test starts there), once,
   * giving up after `timeoutSeconds`.
   */
  localResolver(timeoutSeconds: number): void {
    this.etc('resolv.conf', `nameserver 127.0.0.1\noptions attempts:1 timeout:${timeoutSeconds}\n`);
  }

  /** Start a process in the namespace with the test helper (afterEach(killAll) ends it). */
  start(command: string, args: readonly string[], options: SpawnOptions = {}): Proc {
    // `ip netns exec` execs the command itself: the child's pid is the program's.
    return start('ip', ['netns', 'exec', this.name, command, ...args], options);
  }

  /** Start the built tsnc in the namespace. */
  tsnc(args: readonly string[], options: SpawnOptions = {}): Proc {
    return this.start(process.execPath, [CLI, ...args], options);
  }

  /**
   * Start a helper that lives across tests; resolves once it printed its first stdout line
   * (which it returns). remove() ends it by PID.
   */
  async helper(command: string, args: readonly string[]): Promise<{ child: ChildProcess; line: string }> {
    const child = spawn('ip', ['netns', 'exec', this.name, command, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.helpers.add(child);
    child.once('exit', () => this.helpers.delete(child));
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`${command} did not start`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const end = text.indexOf('\n');
        if (end !== -1) {
          clearTimeout(timer);
          resolve(text.slice(0, end));
        }
      });
      child.once('exit', () => reject(new Error(`${command} exited before it was ready`)));
    });
    return { child, line };
  }

  async remove(): Promise<void> {
    const running = [...this.helpers].filter((c) => c.exitCode === null && c.signalCode === null);
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(running.map((child) => once(child, 'exit')));
    try {
      run('ip', ['netns', 'del', this.name]);
    } catch {
      // Never created (a failed beforeAll): nothing to delete.
    }
    rmSync(this.etcDir, { recursive: true, force: true });
  }
}
