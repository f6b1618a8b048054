// --verify: tsnc to tsnc, the trailer is stripped and checked; a short, corrupt or
// trailer-less stream (sent by the test process, as a broken sender would) is exit 1 and says so.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerClient } from '../helpers/peer.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const payload = randomPayload(2 * 1024 * 1024 + 3);
const path = files.file('payload.bin', payload);

/** The trailer format, written out independently of src/: magic, uint64 BE length, sha256. */
const trailer = (bytes: number, data: Buffer): Buffer => {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(bytes));
  return Buffer.concat([
    Buffer.from('TSNCv1\0\0', 'latin1'),
    length,
    createHash('sha256').update(data).digest(),
  ]);
};

/** A tsnc -l --verify receiver (stdin /dev/null) fed by the test process. */
const receiveFrom = async (stream: Buffer): Promise<{ status: number; stdout: Buffer; stderr: string }> => {
  const { proc, port } = await listener(['--verify'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const conn = await peerClient(port);
  conn.socket.end(stream);
  const status = await proc.exited();
  return { status, stdout: proc.stdout(), stderr: proc.stderr() };
};

describe('--verify', () => {
  it('tsnc to tsnc, a file: the receiver’s stdout is the file exactly (no trailer), both exit 0', async () => {
    const { proc: receiver, port } = await listener(['--verify'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sender = tsnc(['--verify', '127.0.0.1', String(port)], {
      stdio: [openSync(path, 'r'), 'pipe', 'pipe'],
    });
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
    expect(receiver.stdout().length).toBe(payload.length);
    expect(sender.stdout().length).toBe(0);
    expect(sender.stderr()).toBe('');
    expect(receiver.stderr()).not.toContain('verify');
  });

  it('both directions carry a trailer: a piped request and a reply, both verified', async () => {
    const { proc: server, port } = await listener(['--verify']);
    // The reply is in the server's stdin before the client comes: had it nothing to send yet, the
    // client's EOF would end the session (the rule for a listener whose stdin carried nothing).
    server.write('answer');
    server.endStdin();
    const client = tsnc(['--verify', '127.0.0.1', String(port)]);
    client.write('question');
    client.endStdin();
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(server.stdout().toString()).toBe('question');
    expect(client.stdout().toString()).toBe('answer');
  });

  it('the right trailer, sent by hand: exit 0', async () => {
    const { status, stdout, stderr } = await receiveFrom(
      Buffer.concat([payload, trailer(payload.length, payload)]),
    );
    expect(status).toBe(0);
    expect(stdout.equals(payload)).toBe(true);
    expect(stderr).not.toContain('verify');
  });

  it('cut short (no trailer): exit 1, the bytes that came are on stdout', async () => {
    const part = payload.subarray(0, 100_000);
    const { status, stdout, stderr } = await receiveFrom(part);
    expect(status).toBe(1);
    expect(stdout.equals(part)).toBe(true);
    expect(stderr).toMatch(
      /\ntsnc: verify failed: no trailer after 100000 bytes \(cut short, or the peer did not use --verify\)\n$/,
    );
  });

  it('a trailer for more bytes than came: exit 1', async () => {
    const part = payload.subarray(0, 5000);
    const { status, stderr } = await receiveFrom(Buffer.concat([part, trailer(payload.length, payload)]));
    expect(status).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`\\ntsnc: verify failed: received 5000 of ${payload.length} bytes\\n$`),
    );
  });

  it('one byte changed: exit 1', async () => {
    const corrupt = Buffer.from(payload);
    corrupt[12345] = (corrupt[12345] ?? 0) ^ 0x01;
    const { status, stderr } = await receiveFrom(Buffer.concat([corrupt, trailer(payload.length, payload)]));
    expect(status).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`\\ntsnc: verify failed: sha256 mismatch in the ${payload.length} bytes received\\n$`),
    );
  });

  it('nothing at all for a receiver: exit 1', async () => {
    const { status, stderr } = await receiveFrom(Buffer.alloc(0));
    expect(status).toBe(1);
    expect(stderr).toMatch(/\ntsnc: verify failed: no trailer after 0 bytes/);
  });

  it('no connection, no session: nothing to verify, only the connect failure', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    const proc = tsnc(['--verify', '-v', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe(`tsnc: connect to 127.0.0.1 port ${port} (tcp) failed: Connection refused\n`);
  });

  it.each([
    [['--verify', '-lk', '-p', '0'], 'tsnc: cannot use --verify and -k\n'],
    [['--verify', '-u', '127.0.0.1', '1'], 'tsnc: cannot use --verify and -u\n'],
    [['--verify', '-z', '127.0.0.1', '1'], 'tsnc: cannot use --verify and -z\n'],
    [['--wait', '--verify', '127.0.0.1', '1'], 'tsnc: cannot use --wait and --verify\n'],
  ])('%j: one line, exit 1', async (args, line) => {
    const proc = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await proc.exited()).toBe(1);
    expect(proc.stderr()).toBe(line);
  });
});
