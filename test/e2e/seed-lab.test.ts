// The lab tsnc grew out of (shared/seeds): Python socket scripts on one side, nc on the other,
// here on loopback. tsnc must behave as the lab's nc did.
import { afterEach, describe, expect } from 'vitest';
import { CLI, killAll, listener, start, waitFor } from '../helpers/cli.js';
import { freePort } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';

afterEach(killAll);

/** The lab's send.py: connect, send b"Hello!\n", exit. */
const sendPy = (port: number): string =>
  [
    'import socket',
    'client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
    `client_socket.connect(("127.0.0.1", ${port}))`,
    'client_socket.send(b"Hello!\\n")',
    'exit()',
  ].join('\n');

/** The lab's receiving server: bind 0.0.0.0, accept once, recv(1024), print, close. */
const recvPy = (port: number): string =>
  [
    'import socket',
    'server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
    'server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
    `server_socket.bind(("0.0.0.0", ${port}))`,
    'server_socket.listen(1)',
    'print("ready", flush=True)',
    'conn, addr = server_socket.accept()',
    'data = conn.recv(1024)',
    'print(data, flush=True)',
    'conn.close()',
    'server_socket.close()',
  ].join('\n');

/** Wait (bounded) until something listens on port, without connecting to it. */
const waitForListening = async (port: number): Promise<void> => {
  for (let i = 0; i < 100; i += 1) {
    const ss = start('ss', ['-ltnH', `sport = :${port}`]);
    await ss.exited();
    if (ss.stdout().length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}`);
};

describe('seed lab: Python sends Hello! to tsnc -l -p P', () => {
  itWithPeer('python3')('listener stdin an open pipe: prints exactly Hello! and exits 0', async () => {
    const { proc, port } = await listener([]);
    const python = start('python3', ['-c', sendPy(port)]);
    expect(await python.exited()).toBe(0);
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString()).toBe('Hello!\n');
  });

  itWithPeer('python3')('listener stdin a terminal (as typed in the lab): exits 0 at once', async () => {
    const port = await freePort('0.0.0.0');
    const proc = start('script', ['-qfec', `${process.execPath} ${CLI} -l -p ${port}`, '/dev/null']);
    // A probe connection would be the session itself, so watch the socket table instead.
    await waitForListening(port);
    const python = start('python3', ['-c', sendPy(port)]);
    expect(await python.exited()).toBe(0);
    expect(await proc.exited()).toBe(0);
    expect(proc.stdout().toString().replace(/\r/g, '')).toBe('Hello!\n');
  });
});

describe('seed lab: a line typed into tsnc reaches a Python server on 0.0.0.0', () => {
  itWithPeer('python3')('typed on a terminal: the server gets it; tsnc exits 0 when it closes', async () => {
    const port = await freePort('0.0.0.0');
    const server = start('python3', ['-c', recvPy(port)]);
    await waitFor(() => server.stdout().toString().includes('ready'), 'python server ready');
    const proc = start('script', ['-qfec', `${process.execPath} ${CLI} 127.0.0.1 ${port}`, '/dev/null']);
    proc.write('hi\n');
    expect(await server.exited()).toBe(0);
    expect(server.stdout().toString()).toBe("ready\nb'hi\\n'\n");
    expect(await proc.exited()).toBe(0);
  });

  itWithPeer('python3')('from a pipe: printf hi | tsnc HOST PORT', async () => {
    const port = await freePort('0.0.0.0');
    const server = start('python3', ['-c', recvPy(port)]);
    await waitFor(() => server.stdout().toString().includes('ready'), 'python server ready');
    const proc = start(process.execPath, [CLI, '127.0.0.1', String(port)]);
    proc.write('hi\n');
    proc.endStdin();
    expect(await server.exited()).toBe(0);
    expect(server.stdout().toString()).toBe("ready\nb'hi\\n'\n");
    expect(await proc.exited()).toBe(0);
  });
});
