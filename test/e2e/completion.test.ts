// --completion bash|zsh|fish: the scripts the built CLI prints, loaded into the real shells. bash:
// `complete -p` and the candidates the completion function gives for a few command lines. zsh and
// fish: the script parses (and fish, which can list completions without a terminal, is asked too).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';

const files = scratch();
let scripts: Record<'bash' | 'zsh' | 'fish', string>;

const script = (shell: string): string => {
  const result = spawnSync(process.execPath, [CLI, '--completion', shell], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
};
const has = (shell: string): boolean => spawnSync(shell, ['-c', 'true']).status === 0;

beforeAll(() => {
  scripts = {
    bash: files.file('tsnc.bash', script('bash')),
    zsh: files.file('_tsnc', script('zsh')),
    fish: files.file('tsnc.fish', script('fish')),
  };
  files.file('served.bin', 'x');
  files.file('server.pem', 'x');
});
afterAll(() => files.remove());

/** The candidates bash's completion function offers for these words, the last being completed. */
const bashComplete = (words: string[]): string[] => {
  const quoted = words.map((word) => `'${word}'`).join(' ');
  const result = spawnSync(
    'bash',
    [
      '-c',
      `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _tsnc_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      scripts.bash,
    ],
    { cwd: files.dir, encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean).sort();
};

describe('bash', () => {
  it('complete -p tsnc names the function', () => {
    const result = spawnSync('bash', ['-c', 'source "$1"; complete -p tsnc', 'bash', scripts.bash], {
      encoding: 'utf8',
    });
    expect(result.stdout).toBe('complete -F _tsnc_complete tsnc\n');
  });

  it.each([
    [
      ['tsnc', '--ssl-'],
      ['--ssl-cert', '--ssl-insecure', '--ssl-key', '--ssl-pin', '--ssl-servername', '--ssl-trustfile'],
    ],
    [
      ['tsnc', '-X', ''],
      ['4', '5', 'connect'],
    ],
    [['tsnc', '-lX', 'c'], ['connect']],
    [
      ['tsnc', '-T', 'af1'],
      ['af11', 'af12', 'af13'],
    ],
    [['tsnc', '-T', 'l'], ['lowdelay']],
    [
      ['tsnc', '--completion', ''],
      ['bash', 'fish', 'zsh'],
    ],
    [
      ['tsnc', '-l', '--serve', 'ser'],
      ['served.bin', 'server.pem'],
    ],
    [['tsnc', '--ssl-cert', 'server.'], ['server.pem']],
    [['tsnc', '--allowfile', '=', 'served'], ['served.bin']],
    [['tsnc', '-w', ''], []],
  ])('%j -> %j', (words, expected) => {
    expect(bashComplete(words)).toEqual(expected);
  });

  it('every option of the table is offered after a dash', () => {
    const offered = bashComplete(['tsnc', '-']);
    expect(offered).toContain('-4');
    expect(offered).toContain('--completion');
    expect(offered).toContain('--wait');
    expect(offered.length).toBeGreaterThanOrEqual(60);
  });
});

describe.skipIf(!has('zsh'))('zsh', () => {
  it('the script parses (zsh -n)', () => {
    const result = spawnSync('zsh', ['-n', scripts.zsh], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe.skipIf(!has('fish'))('fish', () => {
  it('the script parses (fish -n)', () => {
    const result = spawnSync('fish', ['-n', scripts.fish], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('complete -C lists -X values and the --ssl- options', () => {
    const ask = (line: string): string[] =>
      spawnSync('fish', ['--no-config', '-c', `source $argv[1]; complete -C '${line}'`, scripts.fish], {
        encoding: 'utf8',
      })
        .stdout.split('\n')
        .filter(Boolean)
        .map((entry) => entry.split('\t')[0] ?? '');
    expect(ask('tsnc -X ')).toEqual(['4', '5', 'connect']);
    expect(ask('tsnc --ssl-p')).toEqual(['--ssl-pin']);
  });
});
