import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errnoText, EXIT_TABLE, resolveErrorText, signalExitCode } from '../../src/errors.js';
import { peerEofEndsSession, shouldHalfClose } from '../../src/io/relay.js';
import { parseServices } from '../../src/net/services.js';
import { helpText } from '../../src/options/help.js';
import { OPTIONS } from '../../src/options/table.js';
import { VERSION } from '../../src/version.js';

const optionsDoc = readFileSync(new URL('../../docs/options.md', import.meta.url), 'utf8');

describe('half-close rule (relay.ts)', () => {
  it.each([
    ['always', 0, false, true],
    ['never', 10, true, false],
    ['auto', 1, false, true],
    ['auto', 0, true, true],
    ['auto', 0, false, false],
  ] as const)('policy %s, %i bytes, regular file %s -> FIN %s', (policy, bytes, file, fin) => {
    expect(shouldHalfClose(policy, bytes, file)).toBe(fin);
  });
});

describe('peer EOF rule (relay.ts)', () => {
  it.each([
    [true, false, 5, false, true, 'stdin has ended'],
    [false, true, 5, false, true, 'stdin is a terminal'],
    [false, false, 0, false, true, 'stdin delivered nothing'],
    [false, false, 0, true, false, 'a regular file with bytes left'],
    [false, false, 5, false, false, 'stdin is still sending'],
  ])('done %s, tty %s, %i bytes, file %s -> ends %s (%s)', (done, tty, bytes, file, ends) => {
    expect(peerEofEndsSession(done, tty, bytes, file)).toBe(ends);
  });
});

describe('errno and resolver texts', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'Connection refused'],
    [{ code: 'EADDRINUSE' }, 'Address already in use'],
    [{ code: 'ENOSPC' }, 'No space left on device'],
    [{ code: 'EWHATEVER' }, 'EWHATEVER'],
    [new Error('plain'), 'plain'],
  ])('%j -> %s', (error, text) => {
    expect(errnoText(error)).toBe(text);
  });

  it.each([
    [{ code: 'ENOTFOUND' }, 'Name or service not known'],
    [{ code: 'EAI_AGAIN' }, 'Temporary failure in name resolution'],
    [{ code: 'EAI_ADDRFAMILY' }, 'Address family for hostname not supported'],
    [{}, 'Name or service not known'],
  ])('%j -> %s', (error, text) => {
    expect(resolveErrorText(error)).toBe(text);
  });

  it('signal exit codes are 128+n', () => {
    expect(signalExitCode(15)).toBe(143);
  });
});

describe('/etc/services parsing', () => {
  const table = parseServices(
    '# comment\nhttp\t80/tcp\twww # WWW\nhttp\t80/udp\nsome-thing 8080/tcp alt\n\nbad line\n',
  );
  it('maps names and aliases to ports, per protocol', () => {
    expect(table.portOf('http', 'tcp')).toBe(80);
    expect(table.portOf('www', 'tcp')).toBe(80);
    expect(table.portOf('alt', 'tcp')).toBe(8080);
    expect(table.portOf('some-thing', 'udp')).toBeUndefined();
  });
  it('names a port by its first entry', () => {
    expect(table.nameOf(80, 'tcp')).toBe('http');
    expect(table.nameOf(81, 'tcp')).toBeUndefined();
  });
});

describe('docs match the code', () => {
  it('the version is package.json’s', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });

  it('--help and docs/options.md list the same exit codes', async () => {
    // -h wraps a long meaning onto the next lines: compare the words.
    const help = (await helpText('tsnc', VERSION)).replace(/\s+/g, ' ');
    for (const [code, meaning] of EXIT_TABLE) {
      expect(help).toContain(`${code}`);
      expect(help).toContain(meaning);
      const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(optionsDoc).toMatch(new RegExp(`\\| ${escaped(code)} +\\| ${escaped(meaning)} +\\|`));
    }
  });

  it('the option table of docs/options.md has a row for every option', () => {
    for (const option of OPTIONS) {
      const names = [option.short && `\`-${option.short}`, option.long && `\`--${option.long}`].filter(
        Boolean,
      );
      expect(names.some((name) => optionsDoc.includes(`| ${name as string}`))).toBe(true);
    }
  });
});
