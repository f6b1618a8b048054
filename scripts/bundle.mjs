#!/usr/bin/env node
// npm run bundle: dist/tsnc.cjs, the whole CLI with yargs inlined in one file that any Node >= 18
// runs (`docker cp` it next to any node), and the main script of the single executable (sea.sh).
//
// CommonJS, because a Node single executable runs only one CommonJS file (nodejs.org/api/
// single-executable-applications.html). Two things in the sources do not exist in CommonJS:
// - top-level await in src/cli.ts: its body is run inside an async function (see asyncEntry);
// - import.meta.url, which yargs' ESM shim and yargs-parser pass to fileURLToPath/createRequire:
//   it becomes the bundle's own file URL.
// Node 18: yargs-parser refuses it by policy (see define), and string-width 8, which yargs imports
// for its help screens, builds `v`-flag regexps when loaded, a SyntaxError before Node 20. tsnc
// prints its own help and never lets yargs render one, so string-width is loaded on first use
// (lazyStringWidth): the bundle runs on Node 18, and a yargs help screen would still fail there.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'cli.ts');
const outfile = join(root, 'dist', 'tsnc.cjs');

/** True when a statement awaits at module level (not inside a function or class body). */
const awaitsAtTopLevel = (node) => {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined))
    return true;
  return ts.forEachChild(node, awaitsAtTopLevel) === true;
};

/**
 * The entry module with its statements (not its imports) moved into `void (async () => {...})()`.
 * For an entry module that exports nothing this changes nothing observable: ESM hoists imports
 * anyway, and no one waits for an entry module's evaluation.
 */
const withoutTopLevelAwait = (path, source) => {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  if (!file.statements.some(awaitsAtTopLevel)) return source;
  const imports = [];
  const body = [];
  for (const statement of file.statements) {
    const exported =
      ts.canHaveModifiers(statement) &&
      ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) {
      throw new Error(`${relative(root, path)}: an entry with exports cannot be wrapped for CommonJS`);
    }
    const text = source.slice(statement.getStart(file), statement.end);
    (ts.isImportDeclaration(statement) ? imports : body).push(text);
  }
  const hashbang = /^#!.*\n/.exec(source)?.[0] ?? '';
  return `${hashbang}${imports.join('\n')}\nvoid (async () => {\n${body.join('\n')}\n})();\n`;
};

const asyncEntry = {
  name: 'async-entry',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]cli\.ts$/ }, async (args) => ({
      contents: withoutTopLevelAwait(args.path, await readFile(args.path, 'utf8')),
      loader: 'ts',
    }));
  },
};

/** Every `import stringWidth from 'string-width'` becomes a function that loads it when called. */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      args.namespace === 'lazy-string-width'
        ? undefined
        : { path: args.resolveDir, namespace: 'lazy-string-width' },
    );
    // esbuild evaluates a bundled ES module that is require()d only at its first require().
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: "export default (text, options) => require('string-width').default(text, options);",
      resolveDir: args.path,
      loader: 'js',
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
    // yargs-parser throws on Node < 20 by policy, not need; this is its own override knob.
    // test/container/check.sh runs the bundle on Node 18.
    'process.env.YARGS_MIN_NODE_VERSION': '"18"',
  },
  banner: { js: "'use strict';var __tsncBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [asyncEntry, lazyStringWidth],
  logLevel: 'warning',
});
if (result.errors.length > 0) process.exit(1);
const { size } = await stat(outfile);
process.stderr.write(
  `bundle: ${relative(root, outfile)} ${(size / 1024).toFixed(0)} KiB in ${Math.round(performance.now() - started)} ms\n`,
);
