import { afterEach, describe, expect } from 'vitest';
import { killAll, listener, start, tsnc, type Proc } from '../helpers/cli.js';
import { itWithPeer } from '../helpers/peers.js';
import { EXIT_MS, startPeerListener, stdoutIncludes } from './kit.js';

/*
 * A conversation with nc.openbsd, line by line, with both stdins held open as a terminal or
 * `docker run -i` would: each line must show up on the other side before the next is typed
 * (nothing waits for EOF), and the session must end by itself when the sides hang up. "§" are
 * sections of /work/shared/research/nc-behavior.md.
 */

afterEach(killAll);

const OB = 'nc.openbsd';
const withOB = itWithPeer(OB);

/** Three rounds: `first` types a line, `second` must print it and answer, `first` must print that. */
const converse = async (first: Proc, firstName: string, second: Proc, secondName: string): Promise<void> => {
  for (let round = 1; round <= 3; round++) {
    const line = `${firstName} says ${round}\n`;
    first.write(line);
    await stdoutIncludes(second, line);
    const answer = `${secondName} answers ${round}\n`;
    second.write(answer);
    await stdoutIncludes(first, answer);
  }
};

/** What `name` typed during converse(), as the other side must print it. */
const lines = (name: string, verb: 'says' | 'answers'): string =>
  [1, 2, 3].map((round) => `${name} ${verb} ${round}\n`).join('');

/** Both end by themselves with status 0. */
const bothEnd = async (a: Proc, b: Proc): Promise<void> => {
  expect(await Promise.all([a.exited(EXIT_MS), b.exited(EXIT_MS)])).toEqual([0, 0]);
};

describe(`interop: a line exchange with ${OB}`, () => {
  withOB(`tsnc client <-> ${OB} -l; tsnc hangs up first`, async () => {
    const { proc: peer, port } = await startPeerListener(OB, (p) => ['-n', '-l', '127.0.0.1', String(p)], [
      'pipe',
      'pipe',
    ]);
    const client = tsnc(['127.0.0.1', String(port)]);
    await converse(client, 'tsnc', peer, 'openbsd');

    // tsnc's stdin carried bytes, so its EOF sends FIN; an OB listener ends at network EOF (§2c),
    // and tsnc, its stdin done, ends when OB closes.
    client.endStdin();
    await bothEnd(client, peer);
    expect(peer.stdout().toString()).toBe(lines('tsnc', 'says'));
    expect(client.stdout().toString()).toBe(lines('openbsd', 'answers'));
  });

  withOB(`tsnc client <-> ${OB} -N -l; ${OB} hangs up first, tsnc still talks`, async () => {
    // -N: OB sends FIN at its stdin EOF only with it (§1).
    const { proc: peer, port } = await startPeerListener(
      OB,
      (p) => ['-N', '-n', '-l', '127.0.0.1', String(p)],
      ['pipe', 'pipe'],
    );
    const client = tsnc(['127.0.0.1', String(port)]);
    await converse(client, 'tsnc', peer, 'openbsd');

    // OB's FIN ends only its direction: tsnc's stdin is open and has carried bytes, so tsnc keeps
    // forwarding it, and OB keeps reading after its own FIN.
    peer.endStdin();
    client.write('tsnc after the half-close\n');
    await stdoutIncludes(peer, 'tsnc after the half-close\n');
    expect(client.child.exitCode).toBeNull();

    client.endStdin();
    await bothEnd(client, peer);
    expect(peer.stdout().toString()).toBe(`${lines('tsnc', 'says')}tsnc after the half-close\n`);
  });

  withOB(`${OB} client <-> tsnc -l; ${OB} hangs up first, tsnc still talks`, async () => {
    const { proc: server, port } = await listener([]);
    // -N: OB sends FIN at its stdin EOF only with it (§1).
    const peer = start(OB, ['-N', '-n', '127.0.0.1', String(port)]);
    await converse(peer, 'openbsd', server, 'tsnc');

    peer.endStdin();
    server.write('tsnc after the half-close\n');
    await stdoutIncludes(peer, 'tsnc after the half-close\n');
    expect(server.child.exitCode).toBeNull();

    // tsnc's FIN is OB's network EOF; OB, its stdin done, exits (§1 -N), then tsnc.
    server.endStdin();
    await bothEnd(server, peer);
    expect(server.stdout().toString()).toBe(lines('openbsd', 'says'));
    expect(peer.stdout().toString()).toBe(`${lines('tsnc', 'answers')}tsnc after the half-close\n`);
  });

  withOB(`${OB} client <-> tsnc -l; tsnc hangs up first, ${OB} still talks`, async () => {
    const { proc: server, port } = await listener([]);
    const peer = start(OB, ['-n', '127.0.0.1', String(port)]);
    await converse(peer, 'openbsd', server, 'tsnc');

    // tsnc's FIN ends only its direction: OB keeps forwarding its stdin until EOF (§3), and tsnc,
    // its own stdin done, keeps printing what arrives.
    server.endStdin();
    peer.write('openbsd after the half-close\n');
    await stdoutIncludes(server, 'openbsd after the half-close\n');
    expect(server.child.exitCode).toBeNull();

    // No -N needed here: OB, having seen tsnc's EOF, exits at its stdin EOF and closes (§3).
    peer.endStdin();
    await bothEnd(server, peer);
    expect(server.stdout().toString()).toBe(`${lines('openbsd', 'says')}openbsd after the half-close\n`);
  });
});
