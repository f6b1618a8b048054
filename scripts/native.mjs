#!/usr/bin/env node
// Part of `npm run build`: dist/tsnc-native.node, the small N-API addon behind -U -u, -T and -I/-O
// on TCP (native/tsnc-native.c). One C file, compiled with the system's C compiler against the
// headers of the Node that runs this script; no node-gyp, no npm dependency. Without a compiler
// or the headers the build goes on with one warning: tsnc works, and those options say at run
// time that the addon is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'tsnc-native.c');
const outfile = join(root, 'dist', 'tsnc-native.node');
const compiler = process.env.CC || 'cc';

const warn = (reason) => {
  process.stderr.write(
    `native: WARNING: ${relative(root, outfile)} not built (${reason}); -U -u, -T and TCP -I/-O will be unavailable\n`,
  );
};

// The headers ship with Node: <prefix>/include/node (Debian's nodejs: /usr/include/node).
const headers = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].find((dir) => existsSync(join(dir, 'node_api.h')) && existsSync(join(dir, 'uv.h')));

rmSync(outfile, { force: true });
if (process.platform !== 'linux') warn(`${process.platform}: the addon is Linux only`);
else if (headers === undefined) warn('no node_api.h / uv.h found');
else {
  try {
    // Node's symbols (napi_*, uv_*) are resolved when Node loads the addon: nothing to link.
    execFileSync(
      compiler,
      ['-std=c11', '-O2', '-Wall', '-Wextra', '-shared', '-fPIC', `-I${headers}`, '-o', outfile, source],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    process.stderr.write(`native: ${relative(root, outfile)}\n`);
  } catch (error) {
    const detail =
      error.code === 'ENOENT'
        ? `no C compiler (${compiler})`
        : String(error.stderr ?? error.message)
            .trim()
            .split('\n')[0];
    warn(detail);
  }
}
