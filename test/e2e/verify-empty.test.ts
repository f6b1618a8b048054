// --verify when the receiver sends nothing: its trailer always goes out, at its stdin's EOF or,
// when the sender's EOF ends the session first, then. So an empty file is verified whatever the
// receiver's stdin is: /dev/null (whose EOF may come after the sender's), an open pipe that never
// sends, or a terminal (script(1) gives the receiver a pty).
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch } from '../helpers/data.js';
import { peerClient } from '../helpers/peer.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const empty = files.file('empty', '');
const payload = randomPayload(300_000);
const path = files.file('payload.bin', payload);

/** The trailer format, written out independently of src/: magic, uint64 BE length, sha256. */
const trailer = (data: Buffer): Buffer => {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(data.length));
  return Buffer.concat([
    Buffer.from('TSNCv1\0\0', 'latin1'),
    length,
    createHash('sha256').update(data).digest(),
  ]);
};

/** A sender: tsnc --verify to port, stdin the file at from. */
const send = (port: number, from: string) =>
  tsnc(['--verify', '127.0.0.1', String(port)], { stdio: [openSync(from, 'r'), 'pipe', 'pipe'] });

describe('--verify, a receiver that sends nothing', () => {
  it('stdin /dev/null, 30 pairs at once, 3 rounds: the empty file is verified every time', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(
        Array.from({ length: 30 }, async () => {
          const { proc: receiver, port } = await listener(['--verify'], {
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          const sender = send(port, empty);
          const [sent, received] = await Promise.all([sender.exited(30_000), receiver.exited(30_000)]);
          if (sent !== 0 || received !== 0 || receiver.stdout().length !== 0) {
            failures.push(`exit ${sent}/${received}: ${sender.stderr()}${receiver.stderr()}`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it('stdin an open pipe that never sends: an empty file is verified, both exit 0', async () => {
    const { proc: receiver, port } = await listener(['--verify']);
    const sender = send(port, empty);
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sender.stderr()).toBe('');
    expect(receiver.stdout().length).toBe(0);
    expect(receiver.stderr()).not.toContain('verify');
  });

  it('stdin an open pipe that never sends: a file is verified as before, both exit 0', async () => {
    const { proc: receiver, port } = await listener(['--verify']);
    const sender = send(port, path);
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(receiver.stdout().equals(payload)).toBe(true);
    expect(sender.stdout().length).toBe(0);
    expect(sender.stderr()).toBe('');
    expect(receiver.stderr()).not.toContain('verify');
  });

  it('what goes back is exactly a trailer for 0 bytes after the sender’s FIN (what any --verify sender checks)', async () => {
    const { proc: receiver, port } = await listener(['--verify']);
    const conn = await peerClient(port);
    conn.socket.end(Buffer.concat([payload, trailer(payload)]));
    await conn.fin;
    expect(conn.received().equals(trailer(Buffer.alloc(0)))).toBe(true);
    expect(await receiver.exited()).toBe(0);
    expect(receiver.stdout().equals(payload)).toBe(true);
  });

  it('stdin a terminal (script(1)): an empty file is verified, both exit 0', async () => {
    const out = join(files.dir, 'pty-out');
    const stderr = join(files.dir, 'pty-err');
    // Exit 97 (and fail) unless stdin really is a terminal.
    const command = `[ -t 0 ] || exit 97; exec '${process.execPath}' '${CLI}' -l -v -n -p 0 --verify >'${out}' 2>'${stderr}'`;
    // script's own stdin stays open and silent: the pty never sees input, nor an EOF.
    const pty = start('script', ['-q', '-e', '-c', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const listening = (): RegExpExecArray | null =>
      /Listening on \S+ (\d+)/.exec(existsSync(stderr) ? readFileSync(stderr, 'utf8') : '');
    await waitFor(() => listening() !== null, 'the Listening line');
    const port = Number(listening()?.[1]);
    const sender = send(port, empty);
    expect(await sender.exited()).toBe(0);
    expect(sender.stderr()).toBe('');
    expect(await pty.exited()).toBe(0);
    expect(readFileSync(out).length).toBe(0);
    expect(readFileSync(stderr, 'utf8')).not.toContain('verify');
  });
});
