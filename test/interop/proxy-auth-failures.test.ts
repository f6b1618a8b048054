// -P with wrong passwords, next to nc.openbsd: the same prompts on the terminal, the same bare
// "Proxy authentication failed" after each refusal, three tries, then the one error line.
import { afterEach, describe, expect } from 'vitest';
import { CLI, killAll, start, type Proc } from '../helpers/cli.js';
import { itWithPeer } from '../helpers/peers.js';
import { EXIT_MS, startPeerListener } from './kit.js';

afterEach(killAll);

const PROMPT = 'Proxy password for u@127.0.0.1: ';

/**
 * Run command on a terminal (script(1)), typing a wrong password at each prompt (at most 6),
 * and return what the terminal showed and the exit status.
 */
const wrongPasswords = async (command: string): Promise<{ screen: string; status: number }> => {
  const term: Proc = start('script', ['-qfec', command, '/dev/null']);
  let status: number | undefined;
  void term.exited(EXIT_MS).then((code) => {
    status = code;
  });
  for (let typed = 0; typed < 6 && status === undefined;) {
    const prompts = term.stdout().toString().split(PROMPT).length - 1;
    if (prompts > typed) {
      typed += 1;
      term.write(`wrong${typed}\r`);
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const code = await term.exited(EXIT_MS);
  return { screen: term.stdout().toString(), status: code };
};

describe('interop: -X connect -P, every password refused', () => {
  itWithPeer('ncat')(
    'three prompts, three bare "Proxy authentication failed", then "Too many authentication failures", exit 1, as nc.openbsd',
    async () => {
      const { port } = await startPeerListener(
        'ncat',
        (p) => ['-k', '-l', '127.0.0.1', String(p), '--proxy-type', 'http', '--proxy-auth', 'u:right'],
        ['null', 'null'],
      );
      const args = `-X connect -P u -x 127.0.0.1:${port} 127.0.0.1 1`;
      const ours = await wrongPasswords(`${process.execPath} ${CLI} ${args}`);
      const failed = `${PROMPT}\r\nProxy authentication failed\r\n`;
      expect(ours.screen).toBe(`${failed.repeat(3)}tsnc: Too many authentication failures\r\n`);
      expect(ours.status).toBe(1);
      const theirs = await wrongPasswords(`nc.openbsd ${args}`);
      expect(theirs.status).toBe(1);
      expect(theirs.screen.replace(/^nc\.openbsd: /m, 'tsnc: ')).toBe(ours.screen);
    },
    60_000,
  );
});
