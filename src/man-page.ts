// man/tsnc.1: the manual page, made from the OPTIONS table, the rules of docs/options.md (how a
// session ends, the differences from nc), the exit-code table and the README's everyday use.
// `npm run man` writes it; a test fails when the committed page differs from what this makes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_TABLE } from './errors.js';
import { OPTIONS } from './options/table.js';

/** Text for roff: backslashes, leading dots and quotes, dashes of options kept as hyphens. */
const escape = (text: string): string =>
  text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1')
    // Not ASCII: groff's named Unicode characters (input is read as Latin-1 otherwise).
    .replace(
      /[^\p{ASCII}]/gu,
      (char) => `\\[u${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`,
    );

/** Markdown inline markup (`code`, **bold**, [link](url)) as roff fonts. */
const inline = (text: string): string =>
  escape(text)
    .replace(/\*\*([^*]+)\*\*/g, '\\fB$1\\fR')
    .replace(/`([^`]+)`/g, '\\fB$1\\fR')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\\\\e\|/g, '|')
    .replace(/\\e\|/g, '|');

/** One Markdown section (its body, without the heading) as roff. */
const section = (markdown: string): string => {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) out.push('.PP', inline(paragraph.join(' ')));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.startsWith('```')) {
      flush();
      out.push('.PP', '.nf', '.RS 4');
      for (i += 1; i < lines.length && !(lines[i] ?? '').startsWith('```'); i += 1)
        out.push(escape(lines[i] ?? ''));
      out.push('.RE', '.fi');
    } else if (line.startsWith('|')) {
      flush();
      const cells = (row: string): string[] =>
        row
          .split('\\|')
          .join('\uE000')
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim().split('\uE000').join('|'));
      const header = cells(line);
      for (i += 2; i < lines.length && (lines[i] ?? '').startsWith('|'); i += 1) {
        const [tag = '', ...rest] = cells(lines[i] ?? '');
        const body = rest
          .map((cell, n) =>
            cell === '' || cell === '—' ? '' : `${header[n + 1] ?? ''}: ${cell}`.replace(/^: /, ''),
          )
          .filter(Boolean)
          .join('. ');
        out.push('.TP', inline(tag), inline(body));
      }
      i -= 1;
    } else if (/^\d+\. /.test(line)) {
      flush();
      const item = [line.replace(/^\d+\. /, '')];
      for (; /^ {2,}\S/.test(lines[i + 1] ?? ''); i += 1) item.push((lines[i + 1] ?? '').trim());
      out.push(`.IP ${line.match(/^\d+/)?.[0] ?? ''}. 4`, inline(item.join(' ')));
    } else if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return out.join('\n');
};

/** The files the page takes its sections from (see manPage). */
const SOURCES = ['README.md', 'docs/options.md'] as const;

/** The text of those files, by their path in the repository. */
export type Documents = Readonly<Record<(typeof SOURCES)[number], string>>;

/** The body of the Markdown section with this heading (## or ###) in the named document. */
export const markdownSection = (documents: Documents, path: keyof Documents, heading: string): string => {
  const document = documents[path];
  const match = new RegExp(`^(#{2,3}) ${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm').exec(
    document,
  );
  if (match === null) throw new Error(`man page: no section "${heading}" in ${path}`);
  const rest = document.slice(match.index + match[0].length);
  const end = new RegExp(`^#{2,${match[1]?.length ?? 2}} `, 'm').exec(rest);
  return (end === null ? rest : rest.slice(0, end.index)).trim();
};

/** The switches of an option in roff: \fB\-e\fR, \fB\-\-exec\fR \fIprogram\fR. */
const optionTag = (option: (typeof OPTIONS)[number]): string => {
  const names = [option.short && `-${option.short}`, option.long && `--${option.long}`]
    .filter((name): name is string => typeof name === 'string' && name !== '')
    .map((name) => `\\fB${escape(name)}\\fR`)
    .join(', ');
  return option.valueName === undefined ? names : `${names} \\fI${escape(option.valueName)}\\fR`;
};

/** The whole page, from the README and docs text and the version. */
export const manPage = (documents: Documents, version: string): string =>
  [
    `.TH TSNC 1 "" "tsnc ${version}" "User Commands"`,
    '.SH NAME',
    'tsnc \\- a netcat that never hangs at the end of a transfer and never loses a byte',
    '.SH SYNOPSIS',
    '.B tsnc',
    '[\\fIoptions\\fR] [\\fIdestination\\fR] [\\fIport\\fR]',
    '.br',
    '.B tsnc \\-l',
    '[\\fIoptions\\fR] [[\\fIaddress\\fR] \\fIport\\fR]',
    '.br',
    '.B tsnc \\-\\-wait',
    '[\\fIoptions\\fR] \\fIhost\\fR \\fIport\\fR | \\fIhost:port\\fR ...',
    '.SH DESCRIPTION',
    "tsnc behaves like netcat\\-openbsd 1.219 (Debian's \\fBnc\\fR): the same options, messages and exit",
    'codes, except where nc hangs at the end of a transfer or loses data (see \\fBDIFFERENCES FROM NC\\fR).',
    '.SH OPTIONS',
    ...OPTIONS.flatMap((option) => ['.TP', optionTag(option), inline(option.help)]),
    '.SH HOW A SESSION ENDS',
    section(markdownSection(documents, 'docs/options.md', 'How a session ends')),
    '.SH EXIT STATUS',
    ...EXIT_TABLE.flatMap(([code, meaning]) => ['.TP', `\\fB${escape(code)}\\fR`, inline(meaning)]),
    '.SH DIFFERENCES FROM NC',
    section(markdownSection(documents, 'docs/options.md', 'Differences from nc')),
    '.SH EXAMPLES',
    section(markdownSection(documents, 'README.md', 'Everyday use')),
    '.SH SEE ALSO',
    '\\fBnc\\fR(1), \\fBncat\\fR(1), \\fBsocat\\fR(1)',
    '',
  ].join('\n');

/** The documents the page takes its text from, read from the repository at root. */
export const readDocuments = (root: string): Documents =>
  Object.fromEntries(SOURCES.map((path) => [path, readFileSync(join(root, path), 'utf8')])) as Documents;
