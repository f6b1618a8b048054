// -h: the help screen, laid out by yargs from the OPTIONS table. Loaded only for -h (main.ts
// imports it when asked): yargs is not part of any other start.
import yargs from 'yargs';
import { EXIT_TABLE } from '../errors.js';
import { OPTIONS } from './table.js';
import { usageText } from './usage.js';

/** An option as nc's help writes it: `-e, --exec program`. */
export const switchesOf = (option: (typeof OPTIONS)[number]): string => {
  const names = [option.short && `-${option.short}`, option.long && `--${option.long}`]
    .filter(Boolean)
    .join(', ');
  return option.valueName === undefined ? names : `${names} ${option.valueName}`;
};

/** The full -h text: banner, usage, every option, the exit codes. */
export const helpText = async (prog: string, version: string): Promise<string> => {
  const summary = OPTIONS.map(switchesOf);
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
  OPTIONS.forEach((option, i) => help.option(summary[i] ?? '', { describe: option.help }));
  help.group(summary, 'Command Summary:');
  const width = Math.max(...summary.map((names) => names.length)) + 2;
  const exits = EXIT_TABLE.map(([code, meaning]) => `  ${code.padEnd(width)}${meaning}`);
  help.epilog(['Exit status:', ...exits].join('\n'));
  return `${await help.getHelp()}\n`;
};
