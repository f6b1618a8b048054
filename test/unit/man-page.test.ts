// man/tsnc.1: groff renders it without a warning, every option of the table is in it, and the
// committed page is what the generator makes today (else: run `npm run man`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manPage, readDocuments } from '../../src/man-page.js';
import { OPTIONS } from '../../src/options/table.js';
import { VERSION } from '../../src/version.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = fileURLToPath(new URL('../../man/tsnc.1', import.meta.url));

describe('man/tsnc.1', () => {
  it('groff -man -ww -z: no warnings', () => {
    const result = spawnSync('groff', ['-man', '-ww', '-z', PAGE], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('lists every option of the table, and the rules', () => {
    const text = spawnSync('groff', ['-man', '-Tutf8', '-P-cbuo', PAGE], { encoding: 'utf8' }).stdout.replace(
      /\u2010/g,
      '-',
    );
    for (const option of OPTIONS) {
      for (const name of [option.short && `-${option.short}`, option.long && `--${option.long}`].filter(
        Boolean,
      ))
        expect(text, `${name as string} is not in man/tsnc.1`).toMatch(
          new RegExp(`^ {7}(-\\S+, )?${name as string}\\b`, 'm'),
        );
    }
    for (const heading of ['HOW A SESSION ENDS', 'EXIT STATUS', 'DIFFERENCES FROM NC', 'EXAMPLES'])
      expect(text).toContain(`\n${heading}\n`);
  });

  it('is up to date with the OPTIONS table, the README and docs/options.md', () => {
    const committed = readFileSync(PAGE, 'utf8');
    const fresh = manPage(readDocuments(ROOT), VERSION);
    if (committed !== fresh)
      expect.fail('man/tsnc.1 is stale: regenerate it with `npm run man` and commit it');
  });
});
