#!/usr/bin/env node
// Part of `npm run build`: dist/tsnc.cjs, the whole CLI in one minified file with its dependencies
// (yargs-parser, and yargs for -h) inlined. It is what the `tsnc` command runs: one file parses and starts faster
// than a tree of ES modules, and it runs on any Node >= 18, so it can be `docker cp`'d next to any
// node. It is also the main script of the single executable (scripts/sea.sh).
//
// CommonJS, because a Node single executable runs only one CommonJS file (nodejs.org/api/
// single-executable-applications.html). import.meta.url becomes the bundle's own file URL.
//
// Start-up: the file is a small launcher holding the bundle as a string, which it compiles with
// node:vm from a V8 code cache, dist/tsnc.cjs.cache, when one is there (made below, by running the
// bundle once, so it holds the functions a run compiles too). Parsing and compiling the bundle is
// about a third of what tsnc adds to `node -e 0`; with the cache it is mostly gone. The cache
// belongs to the Node.js (V8) that made it: another one rejects it, and the bundle is compiled as
// usual, as it is when tsnc.cjs is copied alone.
import { spawnSync } from 'node:child_process';
import { chmod, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'cli.ts');
const outfile = join(root, 'dist', 'tsnc.cjs');
const cacheFile = `${outfile}.cache`;

// yargs-parser imports createRequire only to load `config` files written in JS, which tsnc never
// asks for; loading node:module for it pulls Node's ESM loader into every start. Without it,
// yargs-parser reads JSON config files itself and refuses others (its own fallback).
const noCreateRequire = {
  name: 'no-create-require',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^node:module$/ }, (args) =>
      /[\\/]yargs-parser[\\/]/.test(args.importer)
        ? { path: 'no-create-require', namespace: 'tsnc' }
        : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'tsnc' }, () => ({
      contents: 'export const createRequire = undefined;',
    }));
  },
};

// yargs runs on scripts/yargs-platform.mjs instead of its own platform layer: no y18n (its
// strings would follow LANG, from locale files beside the bundle), no walk up the directories for
// a package.json (it would read the user's project's), no node:assert.
const yargsPlatform = {
  name: 'yargs-platform',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /platform-shims[\\/]esm\.mjs$/ }, (args) =>
      /[\\/]yargs[\\/]/.test(args.importer)
        ? { path: join(root, 'scripts', 'yargs-platform.mjs') }
        : undefined,
    );
  },
};

const started = performance.now();
const result = await build({
  entryPoints: [entry],
  outfile,
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  minify: true,
  define: {
    'import.meta.url': '__tsncBundleUrl',
    // yargs-parser refuses Node < 20 by policy, not need; this is its own override knob.
    // test/container/check.sh runs the bundle on Node 18.
    'process.env.YARGS_MIN_NODE_VERSION': '"18"',
  },
  banner: { js: "'use strict';var __tsncBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [noCreateRequire, yargsPlatform],
  metafile: true,
  logLevel: 'warning',
});
if (result.errors.length > 0) process.exit(1);
// The bundle must not carry y18n, a second yargs-parser or string-width's tables.
const unwanted = Object.keys(result.metafile.inputs).filter((input) =>
  /node_modules[\\/](y18n|string-width|escalade|yargs[\\/]node_modules)[\\/]/.test(input),
);
if (unwanted.length > 0) {
  process.stderr.write(`bundle: unwanted inputs: ${unwanted.join(' ')}\n`);
  process.exit(1);
}
const bundle = (result.outputFiles?.[0]?.text ?? '').replace(/^#!.*\n/, '');
// vm.Script has no loader for import(): every import must have been bundled (esbuild keeps
// import() only for modules it leaves outside, such as `node:` built-ins).
if (/\bimport\(/.test(bundle)) {
  process.stderr.write(
    'bundle: an import() of a node: built-in is left in the bundle; use a static import\n',
  );
  process.exit(1);
}
// The module wrapper Node itself puts around a CommonJS file.
const code = `(function (exports, require, module, __filename, __dirname) {${bundle}\n})`;
const launcher = `#!/usr/bin/env node
'use strict';
// tsnc, built by scripts/bundle.mjs: the bundle is the string below, compiled from the V8 code
// cache next to this file when there is one that fits this Node.js (else as usual).
const { readFileSync } = require('node:fs');
const { Script } = require('node:vm');
const code = ${JSON.stringify(code)};
let cachedData;
try {
  cachedData = readFileSync(__filename + '.cache');
} catch {
  // The single executable carries it as an asset (npm run sea); Node 18 has no node:sea at all.
  try {
    const sea = require('node:sea');
    if (sea.isSea()) cachedData = Buffer.from(sea.getAsset('tsnc.cjs.cache'));
  } catch {}
}
new Script(code, { filename: __filename, cachedData }).runInThisContext()(exports, require, module, __filename, __dirname);
`;
await writeFile(outfile, launcher, { mode: 0o755 });
await chmod(outfile, 0o755);

// The cache: compile the same string, run it as \`tsnc -z 127.0.0.1 PORT\` against a listener of
// its own (argv, config and a connection: the start-up path of the commands that do something,
// --version's included), and keep what V8 compiled. Without the listener (no loopback), as
// \`tsnc --version\`. Then check that a fresh load accepts it.
await rm(cacheFile, { force: true });
const node = (script, ...args) =>
  spawnSync(process.execPath, ['-e', script, outfile, cacheFile, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
const made = node(
  `const [file, cache] = process.argv.slice(1);
  const { readFileSync, writeFileSync } = require('node:fs');
  const { Script } = require('node:vm');
  const text = readFileSync(file, 'utf8');
  const code = JSON.parse(text.slice(text.indexOf('const code = ') + 13, text.lastIndexOf(';', text.indexOf('let cachedData'))));
  const script = new Script(code, { filename: file });
  const run = script.runInThisContext();
  process.on('exit', () => writeFileSync(cache, script.createCachedData()));
  const start = (...args) => {
    process.argv = [process.argv[0], file, ...args];
    run(exports, require, module, file, require('node:path').dirname(file));
  };
  // A listener of its own on loopback, closed after the one connection -z makes (or after 10 s).
  const server = require('node:net').createServer((socket) => {
    socket.destroy();
    server.close();
  });
  setTimeout(() => server.close(), 10000).unref();
  server.once('error', () => start('--version'));
  server.listen(0, '127.0.0.1', () => start('-z', '127.0.0.1', String(server.address().port)));`,
);
const checked = node(
  `const [file, cache] = process.argv.slice(1);
  const { readFileSync } = require('node:fs');
  const { Script } = require('node:vm');
  const text = readFileSync(file, 'utf8');
  const code = JSON.parse(text.slice(text.indexOf('const code = ') + 13, text.lastIndexOf(';', text.indexOf('let cachedData'))));
  const script = new Script(code, { filename: file, cachedData: readFileSync(cache) });
  process.stdout.write(script.cachedDataRejected ? 'rejected' : 'accepted');`,
);
if (made.status !== 0 || checked.stdout !== 'accepted') {
  process.stderr.write(
    `bundle: the code cache was not made or not accepted: ${made.stderr}${checked.stderr}\n`,
  );
  process.exit(1);
}
const kib = async (file) => ((await stat(file)).size / 1024).toFixed(0);
process.stderr.write(
  `bundle: ${relative(root, outfile)} ${await kib(outfile)} KiB, code cache ${await kib(cacheFile)} KiB, in ${Math.round(performance.now() - started)} ms\n`,
);
