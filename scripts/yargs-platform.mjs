// The platform layer yargs runs on inside the bundle (scripts/bundle.mjs puts it in place of
// yargs' own lib/platform-shims/esm.mjs). It differs from yargs' in three ways, all so that tsnc's
// help and completion say exactly what tsnc wrote, wherever tsnc is installed:
// - no y18n: yargs' own strings ("Options:", ...) stay English whatever LANG says, and no locale
//   file is read from beside the bundle. updateStrings() still works (a plain table).
// - no walk up the directories for a package.json: yargs would read the user's project's.
// - no node:assert, node:util or require(): what yargs asks of them here is a few lines.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve } from 'node:path';
import process from 'node:process';
import { format, inspect } from 'node:util';
import cliui from 'cliui';
import Parser from 'yargs-parser';
import { getProcessArgvBin } from '../node_modules/yargs/build/lib/utils/process-argv.js';
import { YError } from '../node_modules/yargs/build/lib/yerror.js';

const strings = new Map();
const text = (phrase) => strings.get(phrase) ?? phrase;
const unsupported = () => {
  throw new YError('tsnc: not available in the bundle');
};
const equal = (a, b, message) => {
  if (a !== b) throw new YError(message ?? `${inspect(a)} !== ${inspect(b)}`);
};
const notEqual = (a, b, message) => {
  if (a === b) throw new YError(message ?? `${inspect(a)} === ${inspect(b)}`);
};

export default {
  assert: { notStrictEqual: notEqual, strictEqual: equal },
  cliui,
  // yargs looks for its package.json from here up; there is none to find.
  findUp: () => undefined,
  getEnv: (key) => process.env[key],
  inspect,
  getCallerFile: unsupported,
  getProcessArgvBin,
  mainFilename: '/',
  Parser,
  path: { basename, dirname, extname, relative, resolve },
  process: {
    argv: () => process.argv,
    cwd: process.cwd,
    emitWarning: (warning, type) => process.emitWarning(warning, type),
    execPath: () => process.execPath,
    exit: process.exit,
    nextTick: process.nextTick,
    stdColumns: null,
  },
  readFileSync,
  require: unsupported,
  requireDirectory: unsupported,
  stringWidth: (str) => [...str].length,
  y18n: {
    __: (phrase, ...args) => format(text(phrase), ...args),
    // As y18n: a %d in the phrase is the count.
    __n: (singular, plural, count, ...args) => {
      const phrase = text(count === 1 ? singular : plural);
      return format(phrase, ...(phrase.includes('%d') ? [count, ...args] : args));
    },
    getLocale: () => 'en',
    setLocale: () => undefined,
    updateLocale: (table) => {
      for (const [phrase, replacement] of Object.entries(table)) strings.set(phrase, replacement);
    },
  },
};
