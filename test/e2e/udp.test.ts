// -u: one datagram per stdin read, ICMP "port unreachable" ends the session quietly; the
// listener takes the first sender as its only peer. No "X" probes outside -z.
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { quietPeriod } from '../helpers/peer.js';
import { closedUdpPort, udpPeer } from '../helpers/udp.js';

afterEach(killAll);

/** Start `tsnc -u -l` on port 0 and read the port from its `Bound on ADDR PORT` line. */
const udpListener = async (args: string[] = []): Promise<{ proc: Proc; port: number }> => {
  const proc = tsnc(['-u', '-l', '-v', '-n', ...args, '-p', '0']);
  const match = await proc.stderrLine(/Bound on \S+ (\d+)\n/);
  return { proc, port: Number(match[1]) };
};

describe('-u connect', () => {
  it('each stdin read is one datagram; replies reach stdout; -v says succeeded at once, no X probes', async () => {
    const peer = await udpPeer();
    const proc = tsnc(['-u', '-v', '-n', '127.0.0.1', String(peer.port)]);
    await proc.stderrLine(/succeeded!\n/);
    expect(proc.stderr()).toBe(`Connection to 127.0.0.1 ${peer.port} port [udp/*] succeeded!\n`);
    proc.write('one\n');
    await peer.receivedAtLeast(1);
    proc.write('two\n');
    await peer.receivedAtLeast(2);
    expect(peer.datagrams().map((d) => d.data.toString())).toEqual(['one\n', 'two\n']);
    const from = peer.datagrams()[0]?.from.port ?? 0;
    await peer.send('pong\n', from);
    await waitFor(() => proc.stdout().toString() === 'pong\n', 'the reply on stdout');
    proc.kill();
    peer.close();
  });

  it('a closed port (ICMP port unreachable) ends the session quietly, exit 0', async () => {
    const port = await closedUdpPort();
    const proc = tsnc(['-u', '-n', '127.0.0.1', String(port)]);
    proc.write('anyone?\n');
    // The error comes back with the first datagram or the next one (nc.openbsd: after the 1st write).
    for (let i = 0; i < 20 && proc.child.exitCode === null; i += 1) {
      proc.write('anyone?\n');
      await quietPeriod(50);
    }
    expect(await proc.exited()).toBe(0);
    expect(proc.stderr()).toBe('');
  });

  it('stdin EOF does not end a UDP session; -q 1 does', async () => {
    const peer = await udpPeer();
    const plain = tsnc(['-u', '-n', '127.0.0.1', String(peer.port)]);
    plain.write('x\n');
    plain.endStdin();
    await peer.receivedAtLeast(1);
    await quietPeriod(700);
    expect(plain.child.exitCode).toBeNull();
    const quitting = tsnc(['-u', '-n', '-q', '1', '127.0.0.1', String(peer.port)]);
    quitting.write('y\n');
    quitting.endStdin();
    expect(await quitting.exited(10_000)).toBe(0);
    peer.close();
  });

  it('stdin larger than a datagram is sent in 16 KiB datagrams', async () => {
    const peer = await udpPeer();
    const proc = tsnc(['-u', '-n', '127.0.0.1', String(peer.port)]);
    proc.write(Buffer.alloc(40000, 0x61));
    await waitFor(() => peer.datagrams().reduce((n, d) => n + d.data.length, 0) === 40000, 'all 40000 bytes');
    expect(Math.max(...peer.datagrams().map((d) => d.data.length))).toBeLessThanOrEqual(16384);
    proc.kill();
    peer.close();
  });
});

describe('-u -l', () => {
  it('Bound on; the first sender is the only peer; replies go to it', async () => {
    const { proc, port } = await udpListener();
    expect(proc.stderr()).toBe(`Bound on 0.0.0.0 ${port}\n`);
    const first = await udpPeer();
    const second = await udpPeer();
    await first.send('from-first\n', port);
    await proc.stderrLine(/Connection received on 127\.0\.0\.1 \d+\n/);
    expect(proc.stderr()).toContain(`Connection received on 127.0.0.1 ${first.port}\n`);
    await waitFor(() => proc.stdout().toString() === 'from-first\n', 'the first datagram');
    await second.send('from-second\n', port);
    proc.write('reply\n');
    await first.receivedAtLeast(1);
    expect(first.datagrams()[0]?.data.toString()).toBe('reply\n');
    await first.send('again\n', port);
    await waitFor(
      () => proc.stdout().toString() === 'from-first\nagain\n',
      'the second datagram of the peer',
    );
    expect(second.datagrams()).toEqual([]);
    proc.kill();
    first.close();
    second.close();
  });

  it('-w 1: the session ends after a second of silence, exit 0', async () => {
    const { proc, port } = await udpListener(['-w', '1']);
    const peer = await udpPeer();
    await peer.send('hi\n', port);
    expect(await proc.exited(10_000)).toBe(0);
    expect(proc.stdout().toString()).toBe('hi\n');
    peer.close();
  });

  it('-k: every sender is heard, stdin goes to the last one', async () => {
    const { proc, port } = await udpListener(['-k']);
    const a = await udpPeer();
    const b = await udpPeer();
    await a.send('a\n', port);
    await waitFor(() => proc.stdout().toString() === 'a\n', "a's datagram");
    await b.send('b\n', port);
    await waitFor(() => proc.stdout().toString() === 'a\nb\n', "b's datagram");
    proc.write('to-last\n');
    await b.receivedAtLeast(1);
    expect(a.datagrams()).toEqual([]);
    proc.kill();
    a.close();
    b.close();
  });
});
