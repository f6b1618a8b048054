#!/usr/bin/env node
// Part of `npm run build`: the small N-API addon behind -U -u, -T and -I/-O on TCP
// (native/tsnc-native.c). One C file, no node-gyp, no npm dependency, compiled against the
// headers of the Node that runs this script (N-API is stable: one binary serves every Node):
// - dist/tsnc-native.node, for this machine, with its C compiler ($CC or cc): a checkout, the
//   Docker image's build stage.
// - dist/prebuilt/<target>/tsnc-native.node for linux-x64-gnu, linux-arm64-gnu and
//   linux-x64-musl, with the cross compilers Debian packages (gcc-aarch64-linux-gnu, musl-tools):
//   what the npm package carries, so that `npm install` needs no compiler and runs no script
//   (src/net/native.ts picks the one that fits at run time).
// Without a compiler or the headers the build goes on with one warning per missing binary: tsnc
// works, and those options say at run time that the addon is missing. `--all` (npm's prepack)
// fails instead: a package must carry every target.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'tsnc-native.c');
const requireAll = process.argv.includes('--all');
let missing = 0;

const warn = (outfile, reason, consequence) => {
  missing += 1;
  process.stderr.write(`native: WARNING: ${relative(root, outfile)} not built (${reason}); ${consequence}\n`);
};

// The headers ship with Node: <prefix>/include/node (Debian's nodejs: /usr/include/node).
const headers = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].find((dir) => existsSync(join(dir, 'node_api.h')) && existsSync(join(dir, 'uv.h')));

/** Compile the addon with the first of these compilers that exists; the reason when none could. */
const compile = (compilers, outfile) => {
  let reason = `no C compiler (${compilers.join(', ')})`;
  for (const compiler of compilers) {
    try {
      mkdirSync(dirname(outfile), { recursive: true });
      // Node's symbols (napi_*, uv_*) are resolved when Node loads the addon: nothing to link.
      // -s: no symbol table beyond the dynamic one (half the file).
      execFileSync(
        compiler,
        [
          '-std=c11',
          '-O2',
          '-Wall',
          '-Wextra',
          '-shared',
          '-fPIC',
          '-s',
          `-I${headers}`,
          '-o',
          outfile,
          source,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      return undefined;
    } catch (error) {
      if (error.code === 'ENOENT') continue;
      reason = String(error.stderr ?? error.message)
        .trim()
        .split('\n')[0];
      break;
    }
  }
  return reason;
};

const host = join(root, 'dist', 'tsnc-native.node');
const hostLacks = '-U -u, -T and TCP -I/-O will be unavailable';
rmSync(host, { force: true });
if (process.platform !== 'linux') warn(host, `${process.platform}: the addon is Linux only`, hostLacks);
else if (headers === undefined) warn(host, 'no node_api.h / uv.h found', hostLacks);
else {
  const reason = compile([process.env.CC || 'cc'], host);
  if (reason === undefined) process.stderr.write(`native: ${relative(root, host)}\n`);
  else warn(host, reason, hostLacks);
}

/** The targets the package carries, and the compilers that make them (Debian package names). */
const TARGETS = [
  { target: 'linux-x64-gnu', compilers: ['x86_64-linux-gnu-gcc', ...(process.arch === 'x64' ? ['cc'] : [])] },
  { target: 'linux-arm64-gnu', compilers: ['aarch64-linux-gnu-gcc'] },
  { target: 'linux-x64-musl', compilers: ['musl-gcc', 'x86_64-linux-musl-gcc'] },
];
const built = [];
rmSync(join(root, 'dist', 'prebuilt'), { recursive: true, force: true });
for (const { target, compilers } of TARGETS) {
  const outfile = join(root, 'dist', 'prebuilt', target, 'tsnc-native.node');
  const lacks = `the npm package would lack ${target} (npm pack refuses)`;
  if (headers === undefined) warn(outfile, 'no node_api.h / uv.h found', lacks);
  else {
    const reason = compile(compilers, outfile);
    if (reason === undefined) built.push(target);
    else warn(outfile, reason, lacks);
  }
}
if (built.length > 0) process.stderr.write(`native: dist/prebuilt/{${built.join(',')}}/tsnc-native.node\n`);
if (requireAll && missing > 0) {
  process.stderr.write(
    'native: --all: every target must be built (apt-get install gcc gcc-aarch64-linux-gnu musl-tools)\n',
  );
  process.exit(1);
}
