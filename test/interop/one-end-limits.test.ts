// What one tsnc end can and cannot fix, as the README's first screen says: an nc.openbsd sender
// without -N holds a tsnc receiver (and -N frees it), and a listener's late reply is dropped at
// the client's EOF unless the program runs under -c or the client keeps its end open.
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, sha256 } from '../helpers/data.js';
import { quietPeriod } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';
import { EXIT_MS, stdoutIncludes } from './kit.js';

afterEach(killAll);

describe('an nc.openbsd sender', () => {
  itWithPeer('nc.openbsd')('without -N it never sends FIN: the tsnc receiver keeps waiting', async () => {
    const payload = randomPayload(100_000);
    const { proc: receiver, port } = await listener([], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sender = start('nc.openbsd', ['127.0.0.1', String(port)], { stdio: ['pipe', 'ignore', 'pipe'] });
    sender.write(payload);
    sender.endStdin();
    // Every byte arrives, but no FIN comes: the quiet period gives a wrong end the chance to show.
    await waitFor(() => receiver.stdout().length === payload.length, 'every byte at the receiver');
    await quietPeriod(1000);
    expect(receiver.child.exitCode).toBeNull();
    expect(sender.child.exitCode).toBeNull();
  });

  itWithPeer('nc.openbsd')('with -N: the receiver ends by itself with every byte, exit 0', async () => {
    const payload = randomPayload(100_000);
    const { proc: receiver, port } = await listener([], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sender = start('nc.openbsd', ['-N', '127.0.0.1', String(port)], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    sender.write(payload);
    sender.endStdin();
    expect(await receiver.exited(EXIT_MS)).toBe(0);
    expect(await sender.exited(EXIT_MS)).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
  });
});

describe('a listener whose reply comes after the request', () => {
  it('reply on stdin, the client sends FIN first: the session ends, the reply is not sent (rule 2)', async () => {
    const { proc: server, port } = await listener([], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = tsnc(['127.0.0.1', String(port)]);
    client.write('req\n');
    client.endStdin();
    expect(await server.exited(EXIT_MS)).toBe(0);
    expect(await client.exited(EXIT_MS)).toBe(0);
    expect(server.stdout().toString()).toBe('req\n');
    expect(client.stdout().length).toBe(0);
  });

  it('the program under -c: it reads the request to its EOF and its reply still goes out', async () => {
    const { proc: server, port } = await listener(['-c', 'read x; cat >/dev/null; echo "reply to $x"'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const client = tsnc(['127.0.0.1', String(port)]);
    client.write('req\n');
    client.endStdin();
    expect(await client.exited(EXIT_MS)).toBe(0);
    expect(await server.exited(EXIT_MS)).toBe(0);
    expect(client.stdout().toString()).toBe('reply to req\n');
  });

  it('the client keeps its end open (--no-shutdown): the late reply arrives, both exit 0', async () => {
    const { proc: server, port } = await listener([], { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = tsnc(['--no-shutdown', '127.0.0.1', String(port)]);
    client.write('req\n');
    client.endStdin();
    await stdoutIncludes(server, 'req\n');
    server.write('late reply\n');
    server.endStdin();
    expect(await client.exited(EXIT_MS)).toBe(0);
    expect(await server.exited(EXIT_MS)).toBe(0);
    expect(client.stdout().toString()).toBe('late reply\n');
  });
});
