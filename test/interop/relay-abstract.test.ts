// --relay with abstract unix names against other programs, both ways: a unix:@name target that
// socat ABSTRACT-LISTEN or a python3 '\0name' listener serves, and a -U @name relay listener that
// socat ABSTRACT-CONNECT and python3 reach. Other programs use the name's exact length; a name
// padded with NULs to sun_path's 108 bytes is another name, which none of them would find.
import { openSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { killAll, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { peerClient } from '../helpers/peer.js';
import { itWithNativeAnd } from '../helpers/peers.js';
import { peerLines, pythonBackend, RELAY_PEER, relayListener, stdoutMatch } from '../helpers/relay.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

const MiB = 1024 * 1024;
let counter = 0;
const abstractName = (): string => `tsnc-relay-abstract-${process.pid}-${(counter += 1)}`;

/** The names of the unix sockets bound now, as /proc/net/unix shows them (abstract: "@name"). */
const boundNames = (): string[] =>
  readFileSync('/proc/net/unix', 'latin1')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[7] ?? '')
    .filter((name) => name !== '');

/** Wait until exactly `@name` is bound (a padded name would show as "@name@@@..."). */
const boundExactly = async (name: string): Promise<void> => {
  await waitFor(() => boundNames().includes(`@${name}`), `@${name} in /proc/net/unix`);
  expect(boundNames().filter((bound) => bound.startsWith(`@${name}`))).toEqual([`@${name}`]);
};

/** The set of "bytes sha" pairs each side sent and received, to compare across the relay. */
const sentSet = (lines: ReturnType<typeof peerLines>): string[] =>
  lines.map((l) => `${l.sentBytes} ${l.sentSha}`).sort();
const receivedSet = (lines: ReturnType<typeof peerLines>): string[] =>
  lines.map((l) => `${l.receivedBytes} ${l.receivedSha}`).sort();

describe('interop: --relay and abstract unix names', () => {
  itWithNativeAnd('socat')(
    '--relay unix:@name to socat ABSTRACT-LISTEN (fork, cat): 2 MiB echoed, the target line names it',
    async () => {
      const name = abstractName();
      start('socat', [`ABSTRACT-LISTEN:${name},fork`, 'EXEC:/bin/cat']);
      await boundExactly(name);
      const { proc, port } = await relayListener(`unix:@${name}`, ['-k']);
      const payload = randomPayload(2 * MiB);
      for (let i = 0; i < 2; i += 1) {
        const client = await peerClient(port);
        client.socket.end(payload);
        await client.fin;
        expect(client.received().length).toBe(payload.length);
        expect(sha256(client.received())).toBe(sha256(payload));
        await client.closed;
      }
      await waitFor(
        () => (proc.stderr().match(new RegExp(`^Relay to @${name} connected$`, 'gm')) ?? []).length === 2,
        'two relayed lines',
      );
      expect(proc.stderr()).not.toMatch(/failed/);
    },
  );

  itWithNativeAnd('python3')(
    "--relay unix:@name to a python3 listener on '\\0name': 4 MiB each way at once, 3 clients, sha-equal",
    async () => {
      const name = abstractName();
      const backend = start('python3', [RELAY_PEER, 'server', String(4 * MiB), '--unix', `@${name}`]);
      await stdoutMatch(backend, /^ready$/m);
      await boundExactly(name);
      const { port } = await relayListener(`unix:@${name}`, ['-k']);
      const client = start('python3', [RELAY_PEER, 'client', String(port), String(4 * MiB), '3', '3']);
      expect(await client.exited(60_000)).toBe(0);
      await waitFor(() => peerLines(backend).length === 3, 'three backend lines');
      expect(receivedSet(peerLines(backend))).toEqual(sentSet(peerLines(client)));
      expect(receivedSet(peerLines(client))).toEqual(sentSet(peerLines(backend)));
    },
    90_000,
  );

  itWithNativeAnd('socat')(
    '-l -U @name --relay host:port: bound exactly, socat ABSTRACT-CONNECT reaches the TCP echo through it',
    async () => {
      const backend = await pythonBackend('echo');
      const name = abstractName();
      const relay = tsnc(['-l', '-k', '-v', '-U', `@${name}`, '--relay', `127.0.0.1:${backend.port}`]);
      await relay.stderrLine(/^Listening on /m);
      await boundExactly(name);
      const payload = randomPayload(2 * MiB);
      const input = files.file('abstract-up.bin', payload);
      // -t 30: socat's half-close wait, long enough for the whole echo after its FIN.
      const client = start('socat', ['-t', '30', '-', `ABSTRACT-CONNECT:${name}`], {
        stdio: [openSync(input, 'r'), 'pipe', 'pipe'],
      });
      expect(await client.exited(30_000)).toBe(0);
      expect(client.stdout().length).toBe(payload.length);
      expect(sha256(client.stdout())).toBe(sha256(payload));
      await relay.stderrLine(
        new RegExp(
          `^Relay of @${name} closed \\(eof\\): 2097152 bytes to the target, 2097152 bytes back$`,
          'm',
        ),
      );
    },
  );

  itWithNativeAnd('python3')(
    "-l -U @name --relay host:port: python3 clients on '\\0name', 4 MiB each way at once, sha-equal",
    async () => {
      const backend = await pythonBackend('server', 4 * MiB);
      const name = abstractName();
      const relay = tsnc(['-l', '-k', '-v', '-U', `@${name}`, '--relay', `127.0.0.1:${backend.port}`]);
      await relay.stderrLine(/^Listening on /m);
      await boundExactly(name);
      const client = start('python3', [
        RELAY_PEER,
        'client',
        '0',
        String(4 * MiB),
        '3',
        '3',
        '--unix',
        `@${name}`,
      ]);
      expect(await client.exited(60_000)).toBe(0);
      await waitFor(() => peerLines(backend.proc).length === 3, 'three backend lines');
      expect(receivedSet(peerLines(backend.proc))).toEqual(sentSet(peerLines(client)));
      expect(receivedSet(peerLines(client))).toEqual(sentSet(peerLines(backend.proc)));
      await waitFor(
        () => (relay.stderr().match(/^Relay of @\S+ closed \(eof\)/gm) ?? []).length === 3,
        'three closed lines',
      );
    },
    90_000,
  );
});
