// Bytes kept across sessions and in front of a program, fed one byte per read: what `-l -k` holds
// of stdin while no client is connected (and between clients), and -t answering a negotiation in
// front of an -e program. stdin reads into a buffer of its own that its next read overwrites
// (src/io/read-buffer.ts): what is held until the next client must be a copy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { killAll, listener, waitFor, type Proc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { peerClient, type PeerConnection } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';
import { EXIT_MS } from './kit.js';
import { piecesPeer } from './pieces.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

/** Write stdin one byte at a time, a pause between them so that each is a read of its own. */
const writeBytes = async (proc: Proc, text: string): Promise<void> => {
  for (const [i, byte] of [...text].entries()) {
    if (i > 0) await sleep(40);
    proc.write(byte);
  }
};

/** How many sessions -v has said were ended by the peer's reset. */
const resets = (proc: Proc): number =>
  proc.stderr().match(/(?:read from|write to) \S+ port \d+ \(tcp\) failed/g)?.length ?? 0;

/** The client resets its connection; resolves once tsnc has ended that session. */
const resetAndWait = async (proc: Proc, client: PeerConnection, before: number): Promise<void> => {
  client.socket.resetAndDestroy();
  await waitFor(() => resets(proc) > before, 'tsnc to end the reset session');
};

describe('split reads: -l -k holds stdin for the next client', () => {
  itWithPeer('python3')(
    'stdin fed a byte per write before, during and between clients reaches them in order, byte for byte',
    async () => {
      const { proc, port } = await listener(['-k']);
      // No client yet: the first byte is read and held, the rest wait in the pipe.
      await writeBytes(proc, 'before-1|');
      const first = await peerClient(port);
      await first.receivedAtLeast('before-1|'.length);
      await writeBytes(proc, 'during-1|');
      await first.receivedAtLeast('before-1|during-1|'.length);
      await resetAndWait(proc, first, 0);

      // Between clients: held again, for the second one.
      await writeBytes(proc, 'between-1-2|');
      const second = await peerClient(port);
      await second.receivedAtLeast('between-1-2|'.length);
      await writeBytes(proc, 'during-2|');
      await second.receivedAtLeast('between-1-2|during-2|'.length);
      await resetAndWait(proc, second, 1);

      await writeBytes(proc, 'between-2-3|');
      const third = await peerClient(port);
      await third.receivedAtLeast('between-2-3|'.length);
      proc.endStdin();
      await third.fin;

      expect(first.received().toString()).toBe('before-1|during-1|');
      expect(second.received().toString()).toBe('between-1-2|during-2|');
      expect(third.received().toString()).toBe('between-2-3|');
      third.socket.end();
      expect(proc.child.exitCode).toBeNull();
    },
  );
});

const IAC = 255;
/** WILL ECHO, DO TERMINAL-TYPE, and the answers -t owes them: DONT ECHO, WONT TERMINAL-TYPE. */
const NEGOTIATION = Buffer.from([IAC, 251, 1, IAC, 253, 24]);
const REFUSALS = Buffer.from([IAC, 254, 1, IAC, 252, 24]);

describe('split reads: -t in front of an -e program', () => {
  itWithPeer('python3')(
    '-l -t -c: a negotiation one byte per read is refused; the program gets every byte',
    async () => {
      const saved = join(files.dir, 'program-stdin');
      const sent = Buffer.concat([NEGOTIATION, Buffer.from('login: user\n')]);
      const { proc, port } = await listener(['-t', '-c', `cat > '${saved}'; printf done`]);
      const peer = piecesPeer({
        transport: 'tcp',
        role: 'connect',
        port,
        steps: [{ send: sent, piece: 1 }, { recv: REFUSALS.length }, { shutdown: true }, { eof: true }],
      });
      const received = await peer.received();
      expect(await proc.exited(EXIT_MS)).toBe(0);
      // The refusals first (sent while the program still reads), then what the program printed.
      expect(received.toString('hex')).toBe(Buffer.concat([REFUSALS, Buffer.from('done')]).toString('hex'));
      expect(readFileSync(saved).toString('hex')).toBe(sent.toString('hex'));
    },
  );
});
