#!/usr/bin/env node
// Part of `npm run build`: dist/tsnc.cjs, the whole CLI in one minified file with its dependency
// (yargs-parser) inlined. It is what the `tsnc` command runs: one file parses and starts faster
// than a tree of ES modules, and it runs on any Node >= 18, so it can be `docker cp`'d next to any
// node. It is also the main script of the single executable (scripts/sea.sh).
//
// CommonJS, because a Node single executable runs only one CommonJS file (nodejs.org/api/
// single-executable-applications.html). import.meta.url, which yargs-parser passes to
// createRequire, becomes the bundle's own file URL.
import { chmod, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'cli.ts');
const outfile = join(root, 'dist', 'tsnc.cjs');

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

const started = performance.now();
const result = await build({
  entryPoints: [entry],
  outfile,
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
  plugins: [noCreateRequire],
  logLevel: 'warning',
});
if (result.errors.length > 0) process.exit(1);
await chmod(outfile, 0o755);
const { size } = await stat(outfile);
process.stderr.write(
  `bundle: ${relative(root, outfile)} ${(size / 1024).toFixed(0)} KiB in ${Math.round(performance.now() - started)} ms\n`,
);
