// -e PROGRAM and -c COMMAND: what runs with the connection as its stdin and stdout.
import type { ExecSpec } from '../config.js';
import { messages } from '../messages.js';
import type { RawArgs } from './argv.js';
import { fail } from './numbers.js';

/**
 * Split an -e value into program and arguments the way a shell would split words, without a
 * shell: white space separates, '…' and "…" quote, a backslash escapes the next character. No
 * expansion of any kind, so nothing in the text (or from a peer) is ever interpreted.
 */
export const splitCommandLine = (text: string): string[] | undefined => {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] ?? '';
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i] ?? '';
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  // An unterminated quote is a typo, not something to guess about.
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
};

/** -e PROG ARGS (split, no shell) or -c 'shell command' (via /bin/sh -c). */
export const execSpec = (raw: RawArgs): ExecSpec | undefined => {
  if (raw.exec !== undefined && raw.shellCommand !== undefined) fail(messages.cannotCombine('-e', '-c'));
  if (raw.shellCommand !== undefined) {
    if (raw.shellCommand.trim() === '') fail(messages.missingProgram('-c'));
    return { file: '/bin/sh', args: ['-c', raw.shellCommand] };
  }
  if (raw.exec === undefined) return undefined;
  const words = splitCommandLine(raw.exec) ?? fail(messages.unbalancedQuote(raw.exec));
  const [file, ...args] = words;
  if (file === undefined || file === '') return fail(messages.missingProgram('-e'));
  return { file, args };
};
