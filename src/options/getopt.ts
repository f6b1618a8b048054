// argv split as glibc getopt_long splits it for nc.openbsd: the words, not yet their meaning.
import { UsageError } from '../errors.js';
import { messages } from '../messages.js';

/** One command-line option as getopt sees it. */
export interface GetoptSpec {
  /** The key in the parsed result (also the canonical long name handed to yargs). */
  readonly key: string;
  readonly short?: string;
  readonly long?: string;
  readonly takesValue: boolean;
  /** Value a valueless flag stands for: `-4` is `--family=4`. */
  readonly impliedValue?: string;
  /**
   * Nothing after this option is read (-h, --version): nc.openbsd's getopt loop calls help(),
   * which exits, as soon as it meets -h, so `nc -h -Y` is help and `nc -Y -h` an error.
   */
  readonly endsParsing?: boolean;
}

const flagToken = (spec: GetoptSpec): string =>
  spec.impliedValue === undefined ? `--${spec.key}` : `--${spec.key}=${spec.impliedValue}`;

/** argv split the way glibc getopt_long sees it: options in canonical form, then operands. */
export interface GetoptResult {
  /** Canonical tokens: `--key` or `--key=value`, one per occurrence, in order. */
  readonly options: string[];
  readonly operands: string[];
}

/**
 * Split argv like glibc's getopt_long as nc.openbsd uses it: clustered short flags (`-lvnp 8001`,
 * `-lp8001`, `-46`), a value glued or in the next word (`-q-1`, `-q -1`), operands anywhere
 * (GNU permutation), `--` ends options. Errors carry getopt's own wording. Doing this before
 * yargs is what keeps `-46`, `-q -1` and `--no-shutdown` from being misread.
 */
export const getopt = (argv: readonly string[], specs: readonly GetoptSpec[]): GetoptResult => {
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short, s] as const));
  const byLong = new Map(specs.filter((s) => s.long).map((s) => [s.long, s] as const));
  const options: string[] = [];
  const operands: string[] = [];
  let i = 0;
  const nextWord = (): string | undefined => {
    i += 1;
    return argv[i];
  };
  for (; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byLong.get(name);
      if (spec === undefined) throw new UsageError(messages.unrecognizedOption(name), true);
      if (!spec.takesValue) {
        if (eq !== -1) throw new UsageError(messages.longOptionTakesNoArgument(name), true);
        options.push(flagToken(spec));
        if (spec.endsParsing === true) return { options, operands };
        continue;
      }
      const value = eq === -1 ? nextWord() : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(messages.longOptionNeedsArgument(name), true);
      options.push(`--${spec.key}=${value}`);
      continue;
    }
    if (arg.length < 2 || !arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j += 1) {
      const letter = arg[j] ?? '';
      const spec = byShort.get(letter);
      if (spec === undefined) throw new UsageError(messages.invalidOption(letter), true);
      if (!spec.takesValue) {
        options.push(flagToken(spec));
        if (spec.endsParsing === true) return { options, operands };
        continue;
      }
      const value = j + 1 < arg.length ? arg.slice(j + 1) : nextWord();
      if (value === undefined) throw new UsageError(messages.optionNeedsArgument(letter), true);
      options.push(`--${spec.key}=${value}`);
      break;
    }
  }
  return { options, operands };
};
