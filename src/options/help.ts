// -h: the help screen, laid out by yargs from the OPTIONS table, one line per option. Loaded
// only for -h (main.ts imports it when asked): yargs is not part of any other start.
import yargs from 'yargs';
import { EXIT_TABLE } from '../errors.js';
import { OPTIONS, summaryOf } from './table.js';
import { usageText } from './usage.js';

/** An option as nc's -h writes it: `-e, --exec program`, `-x addr[:port]`. */
export const switchesOf = (option: (typeof OPTIONS)[number]): string => {
  const names = [option.short && `-${option.short}`, option.long && `--${option.long}`]
    .filter(Boolean)
    .join(', ');
  const value = option.helpValueName ?? option.valueName;
  return value === undefined ? names : `${names} ${value}`;
};

/** One screen of help: no line is wider than an 80-column terminal. */
export const HELP_COLUMNS = 80;

/** `first`, then the words of `text` from column `indent` on, wrapped at HELP_COLUMNS. */
const wrapped = (first: string, indent: number, text: string): string[] => {
  const lines: string[] = [];
  let line = first.padEnd(indent);
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > HELP_COLUMNS) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else {
      line = empty ? `${line}${word}` : `${line} ${word}`;
    }
    empty = false;
  }
  return [...lines, line];
};

/**
 * The full -h text: banner, usage, every option on one line (its summary), the exit codes. As
 * nc's -h, it fits an 80-column terminal; the man page has each option in full.
 */
export const helpText = async (prog: string, version: string): Promise<string> => {
  const switches = OPTIONS.map(switchesOf);
  // yargs writes a key as given (no dashes added) only in its positional group: the keys here
  // are the switches as nc writes them, so the table goes there, titled as nc titles it.
  const help = yargs([])
    .help(false)
    .version(false)
    .wrap(null)
    .detectLocale(false)
    .updateStrings({ 'Positionals:': 'Command Summary:' })
    .usage(
      `tsnc ${version}: a netcat that never hangs at the end of a transfer\n${usageText(prog).trimEnd()}`,
    );
  OPTIONS.forEach((option, i) => help.option(switches[i] ?? '', { describe: summaryOf(option) }));
  help.group(switches, 'Command Summary:');
  // The exit codes line up with the options' text (yargs' column: two spaces each side).
  const column = Math.max(...switches.map((names) => names.length)) + 4;
  const exits = EXIT_TABLE.flatMap(([code, meaning]) => wrapped(`  ${code}`, column, meaning));
  help.epilog(['Exit status:', ...exits].join('\n'));
  return `${await help.getHelp()}\n`;
};
