// -I/-O on TCP and -T on TCP and UDP (the native addon), shown by what the kernel reports about
// the sockets (ss -tm --tos: skmem rb/tb, tos, tclass) and by the ToS byte a python3 receiver
// reads off each datagram (IP_RECVTOS) - never by tsnc's own getsockopt.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect } from 'vitest';
import { killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { itWithNative, which } from '../helpers/peers.js';

afterEach(killAll);

/** ss's lines for the established TCP sockets with this port at the given end. */
const ssLines = (end: 'sport' | 'dport', port: number): string =>
  execFileSync('ss', ['-tnm', '--tos', 'state', 'established', `( ${end} = :${port} )`], {
    encoding: 'utf8',
  });

const needsSs = (): void => {
  if (which('ss') === undefined) throw new Error('ss (iproute2) is needed to see the socket options');
};

/** ss's lines for the accepted (sport) and the connecting (dport) socket, once both show `field`. */
const bothInSs = async (port: number, field: string): Promise<{ accepted: string; connected: string }> => {
  let accepted = '';
  let connected = '';
  await waitFor(() => {
    accepted = ssLines('sport', port);
    connected = ssLines('dport', port);
    return accepted.includes(field) && connected.includes(field);
  }, 'both sockets in ss');
  return { accepted, connected };
};

// A UDP receiver on 127.0.0.1 that prints its port, then "TOS DATA" for each datagram, and
// answers the first one with "pong" so a -u -l tsnc is heard too.
const PY_RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(20)
data, anc, _, addr = s.recvmsg(4096, socket.CMSG_SPACE(4))
tos = [c[2][0] for c in anc if c[0] == socket.IPPROTO_IP and c[1] == socket.IP_TOS]
print(hex(tos[0]) if tos else "none", data.decode().strip(), flush=True)
`;

// Sends "ping" to 127.0.0.1:PORT, prints the ToS byte of the answer.
const PY_PINGER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
s.settimeout(20)
s.sendto(b"ping\\n", ("127.0.0.1", int(sys.argv[1])))
data, anc, _, addr = s.recvmsg(4096, socket.CMSG_SPACE(4))
tos = [c[2][0] for c in anc if c[0] == socket.IPPROTO_IP and c[1] == socket.IP_TOS]
print(hex(tos[0]) if tos else "none", data.decode().strip(), flush=True)
`;

describe('-I -O -T on TCP', () => {
  itWithNative('listener and client: SO_RCVBUF, SO_SNDBUF (the kernel doubles them) and IP_TOS', async () => {
    needsSs();
    const { proc: server, port } = await listener([
      '-s',
      '127.0.0.1',
      '-I',
      '8192',
      '-O',
      '16384',
      '-T',
      'af21',
    ]);
    const client = tsnc(['-I', '4096', '-O', '8192', '-T', 'ef', '127.0.0.1', String(port)]);
    await server.stderrLine(/Connection received on /);
    // The accepted socket inherits the listener's options; the client sets its own once connected.
    const { accepted, connected } = await bothInSs(port, 'skmem');
    expect(accepted).toMatch(/tos:0x48\b/);
    expect(accepted).toMatch(/rb16384,/);
    expect(accepted).toMatch(/tb32768,/);
    expect(connected).toMatch(/tos:0xb8\b/);
    expect(connected).toMatch(/rb8192,/);
    expect(connected).toMatch(/tb16384,/);
    client.write('done\n');
    client.endStdin();
    server.endStdin();
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
  });

  itWithNative('IPv6: IPV6_TCLASS', async () => {
    needsSs();
    const { proc: server, port } = await listener(['-6', '-s', '::1', '-T', 'cs1']);
    const client = tsnc(['-T', 'lowdelay', '::1', String(port)]);
    await server.stderrLine(/Connection received on /);
    const { accepted, connected } = await bothInSs(port, 'tclass');
    expect(accepted).toMatch(/tclass:0x20\b/);
    expect(connected).toMatch(/tclass:0x10\b/);
    client.write('done\n');
    client.endStdin();
    server.endStdin();
    expect(await client.exited()).toBe(0);
  });
});

describe('-T on UDP', () => {
  itWithNative(
    'connect: every datagram carries the ToS byte (python3 reads it with IP_RECVTOS)',
    async () => {
      const receiver = start('python3', ['-c', PY_RECEIVER]);
      await waitFor(() => /^\d+\n/.test(receiver.stdout().toString()), 'the receiver port');
      const port = receiver.stdout().toString().split('\n')[0] ?? '';
      const client = tsnc(['-u', '-T', 'af11', '-q', '0', '127.0.0.1', port]);
      client.write('marked\n');
      client.endStdin();
      expect(await client.exited()).toBe(0);
      expect(await receiver.exited()).toBe(0);
      expect(receiver.stdout().toString().split('\n')[1]).toBe('0x28 marked');
    },
  );

  itWithNative('listen: the answer to the first sender carries the ToS byte', async () => {
    const server = tsnc(['-u', '-l', '-v', '-n', '-T', 'cs3', '-s', '127.0.0.1', '-p', '0']);
    const [, port] = (await server.stderrLine(/Bound on \S+ (\d+)\n/)) as unknown as [string, string];
    const pinger = start('python3', ['-c', PY_PINGER, port]);
    await server.stderrLine(/Connection received on /);
    server.write('pong\n');
    expect(await pinger.exited()).toBe(0);
    expect(pinger.stdout().toString()).toBe('0x60 pong\n');
    expect(server.stdout().toString()).toBe('ping\n');
  });
});
