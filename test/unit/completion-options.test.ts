// --completion SHELL -> the completion command, and what each option's value completes from.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/options/argv.js';
import { valueCompletion } from '../../src/options/completion.js';
import { resolveConfig } from '../../src/options/resolve.js';
import { OPTIONS } from '../../src/options/table.js';
import { parseServices } from '../../src/net/services.js';
import { usageFailure } from '../helpers/options.js';

describe('--completion SHELL', () => {
  it.each(['bash', 'zsh', 'fish'])('--completion %s', (shell) => {
    expect(resolveConfig(parseArgs(['--completion', shell]))).toEqual({ kind: 'completion', shell });
  });

  it('another shell: one line', () => {
    expect(usageFailure(['--completion', 'ksh'], parseServices(''))).toBe(
      '--completion: unknown shell: ksh (bash, zsh or fish)',
    );
  });
});

describe('value completion from the OPTIONS table', () => {
  it('every option whose value is a file completes file names', () => {
    const files = OPTIONS.filter((option) => valueCompletion(option)?.kind === 'files').map((o) => o.long);
    expect(files).toEqual(
      expect.arrayContaining(['serve', 'allowfile', 'denyfile', 'ssl-cert', 'ssl-key', 'ssl-trustfile']),
    );
    for (const option of OPTIONS.filter((o) => o.valueName === 'file'))
      expect(valueCompletion(option)).toEqual({ kind: 'files' });
  });

  it('flags take no value; -X and -T have their words', () => {
    const byShort = (letter: string) => OPTIONS.find((option) => option.short === letter);
    expect(valueCompletion(byShort('l')!)).toBeUndefined();
    expect(valueCompletion(byShort('X')!)).toEqual({ kind: 'words', words: ['4', '5', 'connect'] });
    const tos = valueCompletion(byShort('T')!);
    expect(tos?.kind === 'words' ? tos.words : []).toEqual(
      expect.arrayContaining(['af11', 'cs7', 'ef', 'lowdelay']),
    );
  });
});
