// The npm package as a user gets it: `npm pack` of the built tree, installed with
// `npm install -g --ignore-scripts` (npm 12's default: no dependency install scripts) into a fresh
// prefix by a user (nobody, when the test runs as root) whose PATH holds node and npm and no C
// compiler; the package declares no install script either, so older npm runs none. Then the
// installed tsnc does -U -u (the prebuilt addon), -T and a transfer, `man` finds and renders its
// page from the prefix, and the completion scripts it prints work in bash and fish.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const files = scratch();
const asNobody = process.getuid?.() === 0;
/** fish's own path: the user's PATH below holds only node, npm and the prefix's bin. */
const FISH = spawnSync('sh', ['-c', 'command -v fish'], { encoding: 'utf8' }).stdout.trim();
let tsnc = '';
let env: NodeJS.ProcessEnv = {};
let packed = '';

/** Run a program as the installing user, with only the test's PATH. */
const run = (command: string, args: string[], input?: Buffer) =>
  spawnSync(command, args, {
    env,
    input,
    cwd: files.dir,
    ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
    maxBuffer: 64 * 1024 * 1024,
  });

beforeAll(() => {
  chmodSync(files.dir, 0o777);
  for (const target of ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl'])
    expect(
      existsSync(join(ROOT, 'dist', 'prebuilt', target, 'tsnc-native.node')),
      `dist/prebuilt/${target} (npm run build)`,
    ).toBe(true);
  // The scripts ran already (npm run build): pack what the build made.
  packed =
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', files.dir], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop() ?? '';
  const bin = join(files.dir, 'bin');
  mkdirSync(bin);
  const node = realpathSync(process.execPath);
  symlinkSync(node, join(bin, 'node'));
  const npmCli = realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  symlinkSync(npmCli, join(bin, 'npm'));
  const prefix = join(files.dir, 'prefix');
  const home = join(files.dir, 'home');
  for (const dir of [prefix, home]) {
    mkdirSync(dir);
    chmodSync(dir, 0o777);
  }
  env = { PATH: bin, HOME: home, npm_config_cache: join(home, '.npm'), npm_config_update_notifier: 'false' };
  expect(run('/bin/sh', ['-c', 'command -v cc gcc clang make; true'], undefined).stdout.toString()).toBe('');
  const install = run(join(bin, 'npm'), [
    'install',
    '-g',
    '--ignore-scripts',
    '--offline',
    '--no-audit',
    '--no-fund',
    '--prefix',
    prefix,
    join(files.dir, packed),
  ]);
  expect(install.status, install.stderr.toString()).toBe(0);
  tsnc = join(prefix, 'bin', 'tsnc');
  writeFileSync(join(files.dir, 'payload'), randomPayload(1024 * 1024));
}, 120_000);
afterAll(() => files.remove());

describe('npm pack, npm install -g --ignore-scripts without a compiler', () => {
  it('the tarball has no install script for any npm to run, and nothing node-gyp would build', () => {
    const tarball = join(files.dir, packed);
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    ) as { scripts?: Record<string, string>; gypfile?: boolean };
    // What npm runs when it installs a tarball (`prepare` is for git and folder installs only).
    const scripts = Object.keys(manifest.scripts ?? {});
    expect(scripts.filter((name) => ['preinstall', 'install', 'postinstall'].includes(name))).toEqual([]);
    // npm adds `node-gyp rebuild` as the install script of any package with a binding.gyp.
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(listing.filter((entry) => /(^|\/)binding\.gyp$|\.(c|cc|h)$/.test(entry))).toEqual([]);
    expect(manifest.gypfile).toBeUndefined();
  });

  it('installs the bundle, the three prebuilt addons and the man page, and no node_modules', () => {
    const lib = join(dirname(dirname(tsnc)), 'lib', 'node_modules', 'tsnc');
    expect(existsSync(join(lib, 'node_modules'))).toBe(false);
    for (const target of ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl'])
      expect(existsSync(join(lib, 'dist', 'prebuilt', target, 'tsnc-native.node'))).toBe(true);
    expect(existsSync(join(lib, 'dist', 'tsnc-native.node'))).toBe(false);
    expect(readFileSync(join(dirname(dirname(tsnc)), 'share', 'man', 'man1', 'tsnc.1'), 'utf8')).toContain(
      '.TH TSNC 1',
    );
    expect(run(tsnc, ['--version']).stdout.toString()).toMatch(/^tsnc /);
  });

  it('-U -u: a datagram arrives (the prebuilt addon for this system)', async () => {
    const sock = join(files.dir, 'd.sock');
    const listener = spawn(tsnc, ['-l', '-U', '-u', sock], {
      env,
      cwd: files.dir,
      ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
    });
    let got = '';
    let err = '';
    listener.stdout.on('data', (chunk: Buffer) => (got += chunk.toString()));
    listener.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    try {
      const deadline = Date.now() + 10_000;
      while (!existsSync(sock) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(existsSync(sock), err).toBe(true);
      const send = run(tsnc, ['-q', '0', '-U', '-u', sock], Buffer.from('datagram\n'));
      expect(send.status, send.stderr.toString()).toBe(0);
      while (!got.includes('datagram') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(got).toBe('datagram\n');
    } finally {
      listener.kill();
    }
  });

  it('-T and a 1 MiB transfer between two installed tsnc (sha256 equal)', async () => {
    const listener = spawn(tsnc, ['-l', '-T', 'lowdelay', '-v', '-s', '127.0.0.1', '-p', '0'], {
      env,
      cwd: files.dir,
      ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
    });
    const out: Buffer[] = [];
    let err = '';
    listener.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    listener.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    listener.stdin.end();
    const closed = new Promise<number | null>((resolve) => listener.on('close', resolve));
    try {
      const deadline = Date.now() + 10_000;
      while (!/Listening on \S+ (\d+)/.test(err) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const port = /Listening on \S+ (\d+)/.exec(err)?.[1];
      expect(port, err).toBeDefined();
      const payload = readFileSync(join(files.dir, 'payload'));
      // Not spawnSync: the listener's stdout must be read while the sender runs.
      const sender = spawn(tsnc, ['-T', 'ef', '-N', '127.0.0.1', port ?? '0'], {
        env,
        cwd: files.dir,
        stdio: ['pipe', 'ignore', 'pipe'],
        ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
      });
      let senderErr = '';
      sender.stderr.on('data', (chunk: Buffer) => (senderErr += chunk.toString()));
      sender.stdin.end(payload);
      const sent = await new Promise<number | null>((resolve) => sender.on('close', resolve));
      expect(sent, senderErr).toBe(0);
      expect(await closed).toBe(0);
      expect(sha256(Buffer.concat(out))).toBe(sha256(payload));
    } finally {
      listener.kill();
    }
  });

  it('man finds the page from the prefix (by PATH, as man-db derives it, and by MANPATH) and renders it', () => {
    const prefix = dirname(dirname(tsnc));
    const page = join(prefix, 'share', 'man', 'man1', 'tsnc.1');
    // man-db looks beside each PATH entry for ../share/man: a prefix on PATH brings its pages.
    const manEnv = {
      ...env,
      PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`,
      MANWIDTH: '80',
      MAN_DISABLE_SECCOMP: '1',
    };
    const byPath = spawnSync('man', ['-w', 'tsnc'], { env: manEnv, cwd: files.dir, encoding: 'utf8' });
    expect(byPath.stderr).toBe('');
    // npm links share/man/man1/tsnc.1 to the package's man/tsnc.1; man names the link's target.
    expect(byPath.stdout.trim()).toBe(realpathSync(page));
    const byManpath = spawnSync('man', ['-w', 'tsnc'], {
      env: { ...manEnv, PATH: '/usr/bin:/bin', MANPATH: join(prefix, 'share', 'man') },
      cwd: files.dir,
      encoding: 'utf8',
    });
    expect(byManpath.stdout.trim()).toBe(realpathSync(page));
    const shown = spawnSync('man', ['-P', 'cat', 'tsnc'], { env: manEnv, cwd: files.dir, encoding: 'utf8' });
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^NAME\n\s+tsnc\s+-\s+a\s+netcat/m);
    expect(shown.stdout).toMatch(/^EXIT STATUS$/m);
  });

  it('the installed tsnc --completion bash: complete -p tsnc, and the candidates for -X and --ssl-p', () => {
    const bashEnv = { ...env, PATH: `${join(dirname(dirname(tsnc)), 'bin')}:${env.PATH ?? ''}` };
    const complete = (words: string[]): string =>
      spawnSync(
        '/bin/bash',
        [
          '-c',
          `source <(tsnc --completion bash) || exit 1; complete -p tsnc; ` +
            `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; ` +
            `_tsnc_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { env: bashEnv, cwd: files.dir, encoding: 'utf8', ...(asNobody ? { uid: 65534, gid: 65534 } : {}) },
      ).stdout;
    expect(complete(['tsnc', '-X', ''])).toBe('complete -F _tsnc_complete tsnc\n4\n5\nconnect\n');
    expect(complete(['tsnc', '--ssl-p'])).toBe('complete -F _tsnc_complete tsnc\n--ssl-pin\n');
  });

  it.skipIf(FISH === '')('the installed tsnc --completion fish: complete -C lists -X values', () => {
    const fishEnv = { ...env, PATH: `${join(dirname(dirname(tsnc)), 'bin')}:${env.PATH ?? ''}` };
    const result = spawnSync(
      FISH,
      ['--no-config', '-c', "tsnc --completion fish | source; complete -C 'tsnc -X '"],
      { env: fishEnv, cwd: files.dir, encoding: 'utf8', ...(asNobody ? { uid: 65534, gid: 65534 } : {}) },
    );
    expect(
      result.stdout
        .split('\n')
        .filter(Boolean)
        .map((entry) => entry.split('\t')[0]),
    ).toEqual(['4', '5', 'connect']);
  });
});
