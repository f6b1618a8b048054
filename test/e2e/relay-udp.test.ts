// -u -l [-k] --relay host:port: a UDP forwarder (a DNS forwarder in a container). Each client
// address gets its own socket to the target (an association): answers go back to that client
// only, and an association idle for -w ends. Peers: a python3 UDP echo and the test's sockets.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, start, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { RELAY_PEER, stdoutMatch } from '../helpers/relay.js';
import { udpPeer } from '../helpers/udp.js';

afterEach(killAll);

const udpEcho = async (): Promise<{ proc: Proc; port: number }> => {
  const proc = start('python3', [RELAY_PEER, 'udp-echo']);
  return { proc, port: Number((await stdoutMatch(proc, /^port (\d+)$/m))[1]) };
};

const udpRelay = async (args: readonly string[]): Promise<{ proc: Proc; port: number }> => {
  const proc = tsnc(['-u', '-l', '-v', '-n', '-p', '0', ...args]);
  return { proc, port: Number((await proc.stderrLine(/^Bound on \S+ (\d+)$/m))[1]) };
};

/** The source ports the echo saw: one per association. */
const sources = (echo: Proc): string[] =>
  echo
    .stdout()
    .toString()
    .match(/^from \d+$/gm) ?? [];

const texts = (datagrams: { data: Buffer }[]): string[] => datagrams.map((d) => d.data.toString());

describe('-u -l --relay host:port', () => {
  it('two clients through one relay: each gets only its own answers, each has its own upstream socket', async () => {
    const echo = await udpEcho();
    const { proc, port } = await udpRelay(['-k', '--relay', `127.0.0.1:${echo.port}`]);
    const a = await udpPeer();
    const b = await udpPeer();
    await a.send('a1', port);
    await a.receivedAtLeast(1);
    await b.send('b1', port);
    await b.receivedAtLeast(1);
    await a.send('a2', port);
    await b.send('b2', port);
    await a.receivedAtLeast(2);
    await b.receivedAtLeast(2);
    expect(texts(a.datagrams())).toEqual(['echo:a1', 'echo:a2']);
    expect(texts(b.datagrams())).toEqual(['echo:b1', 'echo:b2']);
    // Every answer comes from the relay's port, as the client asked it.
    for (const d of [...a.datagrams(), ...b.datagrams()]) expect(d.from.port).toBe(port);
    expect(sources(echo.proc).length).toBe(2);
    expect((proc.stderr().match(/^Relay to 127\.0\.0\.1 port \d+ \(udp\) connected$/gm) ?? []).length).toBe(
      2,
    );
    a.close();
    b.close();
  });

  it('-w 1: an idle association ends (one line); the next datagram of that client opens a new one', async () => {
    const echo = await udpEcho();
    const { proc, port } = await udpRelay(['-k', '-w', '1', '--relay', `127.0.0.1:${echo.port}`]);
    const a = await udpPeer();
    await a.send('first', port);
    await a.receivedAtLeast(1);
    const line = new RegExp(
      `^Relay of 127\\.0\\.0\\.1 ${a.port} closed \\(idle\\): 5 bytes to the target, 10 bytes back$`,
      'm',
    );
    await waitFor(() => line.test(proc.stderr()), 'the idle line', 10_000);
    await a.send('again', port);
    await a.receivedAtLeast(2);
    expect(texts(a.datagrams())).toEqual(['echo:first', 'echo:again']);
    // A new association: a new upstream socket, so the echo saw a second source port.
    expect(sources(echo.proc).length).toBe(2);
    expect(proc.child.exitCode).toBeNull();
    a.close();
  });

  it('without -k: the first client only, then exit 0 once its association is idle', async () => {
    const echo = await udpEcho();
    const { proc, port } = await udpRelay(['-w', '1', '--relay', `127.0.0.1:${echo.port}`]);
    const a = await udpPeer();
    const b = await udpPeer();
    await a.send('mine', port);
    await a.receivedAtLeast(1);
    await b.send('not served', port);
    expect(await proc.exited(10_000)).toBe(0);
    expect(b.datagrams()).toEqual([]);
    expect(sources(echo.proc).length).toBe(1);
    a.close();
    b.close();
  });

  it('-m 1 with -k: a second client while the first association lives is refused (-v line)', async () => {
    const echo = await udpEcho();
    const { proc, port } = await udpRelay(['-k', '-m', '1', '--relay', `127.0.0.1:${echo.port}`]);
    const a = await udpPeer();
    const b = await udpPeer();
    await a.send('a', port);
    await a.receivedAtLeast(1);
    await b.send('b', port);
    await proc.stderrLine(
      new RegExp(`^Refused connection from 127\\.0\\.0\\.1 ${b.port}: already 1 connections \\(-m\\)$`, 'm'),
    );
    expect(b.datagrams()).toEqual([]);
    a.close();
    b.close();
  });

  it('-6 -s ::1 in front of an IPv4 echo: the literal target is its own family', async () => {
    const echo = await udpEcho();
    const proc = tsnc([
      '-u',
      '-l',
      '-k',
      '-v',
      '-n',
      '-6',
      '-s',
      '::1',
      '-p',
      '0',
      '--relay',
      `127.0.0.1:${echo.port}`,
    ]);
    const port = Number((await proc.stderrLine(/^Bound on ::1 (\d+)$/m))[1]);
    const client = createSocket('udp6');
    client.bind(0, '::1');
    await once(client, 'listening');
    const answer = once(client, 'message') as Promise<[Buffer]>;
    client.send('six', port, '::1');
    const [data] = await answer;
    expect(data.toString()).toBe('echo:six');
    client.close();
  });
});
