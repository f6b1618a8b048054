// Every relative link and #anchor of README.md and docs/*.md leads somewhere (anchors made by
// GitHub's rules), every docs/ page is reachable from the README, and the README stays a page a
// newcomer reads in five minutes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README_MAX_LINES = 250;

/** The lines of a Markdown text outside fenced code blocks. */
const proseLines = (text: string): string[] => {
  const lines: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push(line);
  }
  return lines;
};

/** The anchors GitHub makes for the headings: lowercase, punctuation dropped, spaces to '-', repeats -1, -2. */
const anchorsOf = (text: string): Set<string> => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[`*]/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
};

/** The link targets of a Markdown text: inline links and images outside code. */
const linksOf = (text: string): string[] =>
  proseLines(text).flatMap((line) =>
    [...line.replace(/`[^`]*`/g, '').matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
      (match) => match[1] ?? '',
    ),
  );

/** What is wrong with one link of the document at `from` (a path under root), or undefined. */
const brokenLink = (root: string, from: string, target: string): string | undefined => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: are not checked here
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(root, from) : join(root, dirname(from), decodeURIComponent(path));
  if (!existsSync(file)) return `${from}: ${target}: no file ${relative(root, file)}`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!file.endsWith('.md')) return `${from}: ${target}: an anchor into a file that is not Markdown`;
  const anchors = anchorsOf(readFileSync(file, 'utf8'));
  return anchors.has(decodeURIComponent(anchor))
    ? undefined
    : `${from}: ${target}: no heading makes #${anchor} in ${relative(root, file)}`;
};

const documents = (root: string): string[] => [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

describe('GitHub anchors', () => {
  it('are lowercase, without punctuation, spaces as -, repeated headings numbered', () => {
    const text = [
      '# tsnc',
      '## Checked transfers: `--sha256`, `--progress`',
      '## Relay / port forwarding',
      '```sh',
      '# a comment in a code block is no heading',
      '```',
      '## Unix datagram sockets, buffer sizes, ToS',
      '### Events',
      '### Events',
      '## How it ended: `end`',
    ].join('\n');
    expect([...anchorsOf(text)]).toEqual([
      'tsnc',
      'checked-transfers---sha256---progress',
      'relay--port-forwarding',
      'unix-datagram-sockets-buffer-sizes-tos',
      'events',
      'events-1',
      'how-it-ended-end',
    ]);
  });

  it('links are found in prose and tables, not in code', () => {
    const text = [
      'See [a](docs/a.md#x) and ![b](b.png "title"), `[not](this)`.',
      '| `--x` | text (see [c](#c)) |',
      '```',
      '[nor](this)',
      '```',
    ].join('\n');
    expect(linksOf(text)).toEqual(['docs/a.md#x', 'b.png', '#c']);
  });
});

describe('the links of README.md and docs/*.md', () => {
  const files = documents(ROOT);

  it.each(files)('%s: every relative link and #anchor resolves', (from) => {
    const links = linksOf(readFileSync(join(ROOT, from), 'utf8'));
    const broken = links
      .map((target) => brokenLink(ROOT, from, target))
      .filter((problem) => problem !== undefined);
    expect(broken).toEqual([]);
  });

  it('a broken path or anchor is caught', () => {
    expect(brokenLink(ROOT, 'README.md', 'docs/options.md#how-a-session-ends')).toBeUndefined();
    expect(brokenLink(ROOT, 'docs/relay.md', '../README.md#set-up')).toBeUndefined();
    expect(brokenLink(ROOT, 'README.md', 'docs/nothing.md')).toMatch(/no file docs\/nothing\.md/);
    expect(brokenLink(ROOT, 'README.md', 'docs/options.md#how-a-session-starts')).toMatch(/no heading/);
    expect(brokenLink(ROOT, 'docs/relay.md', '#no-such-section')).toMatch(/no heading/);
    expect(brokenLink(ROOT, 'docs/relay.md', 'https://example.org/#x')).toBeUndefined();
  });

  it('every docs/ page is linked from the README', () => {
    const linked = new Set(
      linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((target) => target.split('#')[0]),
    );
    const unlinked = files.filter((file) => file !== 'README.md' && !linked.has(file));
    expect(unlinked).toEqual([]);
  });

  it(`README.md has fewer than ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThan(README_MAX_LINES);
  });
});
