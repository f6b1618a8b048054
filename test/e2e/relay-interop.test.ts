// --relay between programs people put on either side of a port forwarder: curl through the relay
// to python3's http.server (plain, and https through TLS termination), ncat as the client and as
// the backend. Real processes on both sides; tsnc in the middle.
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { killAll, start, waitFor, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { freePort } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';
import { makePki, type Pki } from '../helpers/tls.js';
import { peerLines, pythonBackend, relayListener, tcpUp } from '../helpers/relay.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const MiB = 1024 * 1024;
let pki: Pki;
beforeAll(() => {
  pki = makePki(files.dir);
});

/** python3 -m http.server on 127.0.0.1 port 0, serving dir; its port from the "Serving" line. */
const httpServer = async (dir: string): Promise<{ proc: Proc; port: number }> => {
  const proc = start('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir]);
  let port = 0;
  await waitFor(() => {
    const match = /Serving HTTP on \S+ port (\d+)/.exec(proc.stdout().toString());
    port = Number(match?.[1] ?? 0);
    return port !== 0;
  }, `the http.server line; stderr: ${proc.stderr()}`);
  return { proc, port };
};

describe('interop through --relay', () => {
  itWithPeer('curl')(
    'curl GETs a 16 MiB file and a missing one from python3 http.server through the relay',
    async () => {
      const dir = join(files.dir, 'www');
      mkdirSync(dir);
      const body = randomPayload(16 * MiB);
      files.file('www/big.bin', body);
      const server = await httpServer(dir);
      const { proc, port } = await relayListener(`127.0.0.1:${server.port}`, ['-k']);
      const out = join(files.dir, 'got.bin');
      const curl = start('curl', [
        '-sS',
        '--fail',
        '-o',
        out,
        '-w',
        '%{http_code}',
        `http://127.0.0.1:${port}/big.bin`,
      ]);
      expect(await curl.exited(60_000)).toBe(0);
      expect(curl.stdout().toString()).toBe('200');
      const got = readFileSync(out);
      expect(got.length).toBe(body.length);
      expect(sha256(got)).toBe(sha256(body));
      // A second request, a new connection through the same relay: the backend's 404 comes back.
      const missing = start('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        `http://127.0.0.1:${port}/nope`,
      ]);
      expect(await missing.exited(30_000)).toBe(0);
      expect(missing.stdout().toString()).toBe('404');
      await waitFor(
        () => (proc.stderr().match(/^Relay of .* closed \(eof\)/gm) ?? []).length === 2,
        'two closed lines',
      );
    },
    90_000,
  );

  itWithPeer('curl')(
    'curl https through TLS termination (--ssl-cert) to a plain http.server: verified, 4 MiB whole',
    async () => {
      const dir = join(files.dir, 'www-tls');
      mkdirSync(dir);
      const body = randomPayload(4 * MiB);
      files.file('www-tls/file.bin', body);
      const server = await httpServer(dir);
      const { port } = await relayListener(`127.0.0.1:${server.port}`, [
        '-k',
        '--ssl-cert',
        pki.serverCert,
        '--ssl-key',
        pki.serverKey,
      ]);
      const out = join(files.dir, 'got-tls.bin');
      const curl = start('curl', [
        '-sS',
        '--fail',
        '--cacert',
        pki.caCert,
        '-o',
        out,
        `https://localhost:${port}/file.bin`,
        '--resolve',
        `localhost:${port}:127.0.0.1`,
      ]);
      expect(await curl.exited(60_000)).toBe(0);
      expect(sha256(readFileSync(out))).toBe(sha256(body));
    },
    90_000,
  );

  itWithPeer('ncat')(
    "ncat client: 8 MiB up and the python3 backend's 8 MiB down at once, sha-equal",
    async () => {
      const backend = await pythonBackend('server', 8 * MiB);
      const { port } = await relayListener(`127.0.0.1:${backend.port}`, ['-k']);
      const upload = randomPayload(8 * MiB);
      const input = files.file('ncat-up.bin', upload);
      const output = files.file('ncat-down.bin', '');
      // ncat half-closes at EOF of its stdin and reads on until the backend's FIN.
      const client = start('ncat', ['127.0.0.1', String(port)], {
        stdio: [openSync(input, 'r'), openSync(output, 'w'), 'pipe'],
      });
      expect(await client.exited(60_000)).toBe(0);
      await waitFor(() => peerLines(backend.proc).length === 1, 'the backend line');
      const [line] = peerLines(backend.proc);
      expect(line?.receivedBytes).toBe(upload.length);
      expect(line?.receivedSha).toBe(sha256(upload));
      const down = readFileSync(output);
      expect(down.length).toBe(8 * MiB);
      expect(sha256(down)).toBe(line?.sentSha);
    },
    90_000,
  );

  itWithPeer('ncat')(
    'ncat backend (-k --sh-exec cat FILE): two nc.openbsd -d clients each get the 4 MiB whole, then its FIN',
    async () => {
      const body = randomPayload(4 * MiB);
      const served = files.file('ncat-served.bin', body);
      const backendPort = await freePort();
      // Not an echo: ncat's --exec closes on the client's FIN, and what the command still had to
      // send is lost (the end-of-connection flaw the relay does not have).
      start('ncat', ['-l', '-k', '127.0.0.1', String(backendPort), '--sh-exec', `cat ${served}`]);
      await tcpUp(backendPort);
      const { proc, port } = await relayListener(`127.0.0.1:${backendPort}`, ['-k']);
      for (let i = 0; i < 2; i += 1) {
        const client = start('nc.openbsd', ['-d', '127.0.0.1', String(port)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        expect(await client.exited(30_000)).toBe(0);
        expect(client.stdout().length).toBe(body.length);
        expect(sha256(client.stdout())).toBe(sha256(body));
      }
      await waitFor(
        () =>
          (
            proc
              .stderr()
              .match(new RegExp(`closed \\(eof\\): 0 bytes to the target, ${4 * MiB} bytes back`, 'g')) ?? []
          ).length === 2,
        'two closed lines',
      );
    },
  );
});
