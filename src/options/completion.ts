// --completion bash|zsh|fish: a completion script made from the OPTIONS table. The script itself
// knows every option and value, so a TAB costs the shell a lookup, not a start of tsnc.
import type { CompletionShell } from '../config.js';
import { TOS_KEYWORDS } from '../net/tos.js';
import { OPTIONS, summaryOf } from './table.js';

type Option = (typeof OPTIONS)[number];

/** What an option's value is completed from: a word list, file names, command names, or nothing. */
export type ValueCompletion =
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'files' }
  | { readonly kind: 'commands' }
  | { readonly kind: 'none' };

/** Values tsnc knows; every option whose value is a `file` completes file names. */
const KNOWN_VALUES: Readonly<Record<string, ValueCompletion>> = {
  proxyProtocol: { kind: 'words', words: ['4', '5', 'connect'] },
  tos: { kind: 'words', words: Object.keys(TOS_KEYWORDS) },
  completion: { kind: 'words', words: ['bash', 'zsh', 'fish'] },
  exec: { kind: 'commands' },
  shellCommand: { kind: 'commands' },
};

/** How the value of an option is completed (undefined: it takes none). */
export const valueCompletion = (option: Option): ValueCompletion | undefined => {
  if (!option.takesValue) return undefined;
  return KNOWN_VALUES[option.key] ?? (option.valueName === 'file' ? { kind: 'files' } : { kind: 'none' });
};

/** The switches of an option: `-e`, `--exec`. */
const switches = (option: Option): string[] =>
  [option.short && `-${option.short}`, option.long && `--${option.long}`].filter(
    (name): name is string => typeof name === 'string' && name !== '',
  );

/** A shell function name for the program (`nc` when installed as nc). */
const functionName = (prog: string): string => `_${prog.replace(/[^A-Za-z0-9_]/g, '_')}_complete`;

/** A single-quoted word for sh, bash and zsh. */
const shQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

const bashScript = (prog: string): string => {
  const fn = functionName(prog);
  const cases: string[] = [];
  for (const kind of ['words', 'files', 'commands', 'none'] as const) {
    const groups = new Map<string, string[]>();
    for (const option of OPTIONS) {
      const value = valueCompletion(option);
      if (value?.kind !== kind) continue;
      const words = value.kind === 'words' ? value.words.join(' ') : '';
      // A short option ends a cluster as well (-lX 5): -X|-[!-]*X.
      const patterns = switches(option).flatMap((name) =>
        name.startsWith('--') ? [name] : [name, `-[!-]*${name.slice(1)}`],
      );
      groups.set(words, [...(groups.get(words) ?? []), ...patterns]);
    }
    for (const [words, patterns] of groups) {
      const reply =
        kind === 'words'
          ? `COMPREPLY=($(compgen -W ${shQuote(words)} -- "$cur"))`
          : kind === 'files'
            ? 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))'
            : kind === 'commands'
              ? 'COMPREPLY=($(compgen -c -- "$cur"))'
              : 'COMPREPLY=()';
      cases.push(`    ${patterns.join('|')})\n      ${reply}\n      return ;;`);
    }
  }
  const all = OPTIONS.flatMap(switches).join(' ');
  return `# ${prog} completion for bash, made by \`${prog} --completion bash\`. Install:
#   ${prog} --completion bash > ~/.local/share/bash-completion/completions/${prog}
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=
  [ "$COMP_CWORD" -gt 0 ] && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # --option=value: bash splits it into --option, = and value.
  if [ "$cur" = = ]; then
    cur=
  elif [ "$prev" = = ] && [ "$COMP_CWORD" -gt 1 ]; then
    prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  case $prev in
${cases.join('\n')}
  esac
  case $cur in
    -*)
      COMPREPLY=($(compgen -W ${shQuote(all)} -- "$cur"))
      return ;;
  esac
  # Operands: a host (then ports), or with -U a socket path.
  local word
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case $word in
      -U|-[!-]*U*)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    esac
  done
  COMPREPLY=($(compgen -A hostname -- "$cur"))
}
complete -F ${fn} ${prog}
`;
};

/** An _arguments description: no brackets, colons or backslashes unescaped. */
const zshDescription = (text: string): string => text.replace(/([\\[\]:])/g, '\\$1');

const zshScript = (prog: string): string => {
  const specs = OPTIONS.map((option) => {
    const names = switches(option);
    const value = valueCompletion(option);
    const repeat = option.type === 'list' || option.type === 'count' ? '*' : '';
    // -X5 or -X 5; --serve=FILE or --serve FILE.
    const argument = (name: string): string =>
      value === undefined ? name : name.startsWith('--') ? `${name}=` : `${name}+`;
    const action =
      value === undefined
        ? ''
        : `:${zshDescription(option.valueName ?? 'value')}:${
            value.kind === 'words'
              ? `(${value.words.join(' ')})`
              : value.kind === 'files'
                ? '_files'
                : value.kind === 'commands'
                  ? '_command_names -e'
                  : ' '
          }`;
    const text = shQuote(`[${zshDescription(summaryOf(option))}]${action}`);
    const exclusive = names.length > 1 && repeat === '' ? shQuote(`(${names.join(' ')})`) : '';
    const nameWords =
      names.length > 1
        ? `${repeat === '' ? '' : `'${repeat}'`}{${names.map(argument).join(',')}}`
        : shQuote(`${repeat}${argument(names[0] ?? '')}`);
    return `  ${exclusive}${nameWords}${text}`;
  });
  return `#compdef ${prog}
# ${prog} completion for zsh, made by \`${prog} --completion zsh\`. Install: save it as _${prog} in a
# directory of $fpath, e.g.  ${prog} --completion zsh > ~/.zfunc/_${prog}  (fpath+=~/.zfunc before compinit)
${functionName(prog)}() {
  _arguments -s -S \\
${specs.join(' \\\n')} \\
    '1:destination:_hosts' \\
    '*:port: '
}
compdef ${functionName(prog)} ${prog}
`;
};

/** A single-quoted word for fish (which knows only \\' and \\\\ inside). */
const fishQuote = (text: string): string => `'${text.replace(/[\\']/g, '\\$&')}'`;

const fishScript = (prog: string): string => {
  const lines = OPTIONS.map((option) => {
    const value = valueCompletion(option);
    const parts = [`complete -c ${prog}`];
    if (option.short !== undefined) parts.push(`-s ${option.short}`);
    if (option.long !== undefined) parts.push(`-l ${option.long}`);
    if (value?.kind === 'words') parts.push(`-x -a ${fishQuote(value.words.join(' '))}`);
    else if (value?.kind === 'files') parts.push('-r -F');
    else if (value?.kind === 'commands') parts.push(`-x -a '(__fish_complete_command)'`);
    else if (value?.kind === 'none') parts.push('-x');
    parts.push(`-d ${fishQuote(summaryOf(option))}`);
    return parts.join(' ');
  });
  return `# ${prog} completion for fish, made by \`${prog} --completion fish\`. Install:
#   ${prog} --completion fish > ~/.config/fish/completions/${prog}.fish
complete -c ${prog} -e
# Operands: a host, then ports.
complete -c ${prog} -f -a '(__fish_print_hostnames)'
${lines.join('\n')}
`;
};

/** The completion script for a shell, for the program named prog. */
export const completionScript = (shell: CompletionShell, prog: string): string =>
  shell === 'bash' ? bashScript(prog) : shell === 'zsh' ? zshScript(prog) : fishScript(prog);
