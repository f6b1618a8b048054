// The usage nc prints after a command-line error, made from the OPTIONS table.
import { OPTIONS } from './table.js';

/** How wide nc.openbsd's usage lines are: each fits an 80-column terminal. */
const USAGE_COLUMNS = 79;

/**
 * The usage nc prints after a command-line error: the short options as nc.openbsd's usage()
 * lists them, wrapped at 80 columns onto lines that start with a tab and two spaces, and the
 * operands on a line of their own. The long options are many: -h lists them.
 */
export const usageText = (prog: string): string => {
  const flags = OPTIONS.filter((o) => o.short !== undefined && !o.takesValue)
    .map((o) => o.short)
    .sort((a, b) => (a ?? '').localeCompare(b ?? '', 'en', { caseFirst: 'upper' }))
    .join('');
  const words = [
    `[-${flags}]`,
    ...OPTIONS.filter((o) => o.short !== undefined && o.takesValue).map(
      (o) => `[-${o.short} ${o.valueName}]`,
    ),
    '[--long-option ...]',
  ];
  const indent = '\t  ';
  const lines: string[] = [];
  let line = `usage: ${prog}`;
  for (const word of words) {
    // A tab is 8 columns on a terminal.
    const columns = line.replace(/^\t/, ' '.repeat(8)).length + 1 + word.length;
    if (columns > USAGE_COLUMNS) {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = `${line} ${word}`;
    }
  }
  lines.push(line, `${indent}[destination] [port]`);
  return `${lines.join('\n')}\n`;
};
