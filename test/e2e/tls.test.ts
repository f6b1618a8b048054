// --ssl: tsnc to tsnc over TLS. Every way a client checks a server (pin, CA file, name,
// none), every way it fails (one line, exit 1), and the data path through TLS: both directions
// of a few MiB with sha256, half-close by close_notify, -k, -c, -U.
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { selfSigned } from '../../src/net/self-signed.js';
import { killAll, listener, tsnc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { which } from '../helpers/peers.js';
import { makePki, printedPin } from '../helpers/tls.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const up = randomPayload(3 * 1024 * 1024 + 17);
const down = randomPayload(2 * 1024 * 1024 + 5);
const upFile = files.file('up.bin', up);
const downFile = files.file('down.bin', down);
const hasOpenssl = which('openssl') !== undefined;
const pki = hasOpenssl ? makePki(files.dir) : undefined;

/** An ephemeral-certificate listener; resolves with it, its port and the pin it printed. */
const ephemeral = async (args: string[] = [], stdin: 'ignore' | number | 'pipe' = 'ignore') => {
  const { proc, port } = await listener(['--ssl', ...args], { stdio: [stdin, 'pipe', 'pipe'] });
  return { proc, port, pin: await printedPin(proc) };
};

/** A client that must fail: its status and its stderr. */
const failing = async (args: string[]): Promise<{ status: number; stderr: string }> => {
  const client = tsnc(args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: await client.exited(), stderr: client.stderr() };
};

describe('--ssl, ephemeral certificate and --ssl-pin', () => {
  it('prints one fingerprint line; both directions, MiB each, arrive whole (sha256), both exit 0', async () => {
    const { proc: server, port, pin } = await ephemeral([], openSync(downFile, 'r'));
    expect(server.stderr().match(/^tsnc: TLS certificate sha256:[0-9A-F:]{95}$/gm)).toHaveLength(1);
    const client = tsnc(['-v', '--ssl-pin', pin, '127.0.0.1', String(port)], {
      stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
    });
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(sha256(server.stdout())).toBe(sha256(up));
    expect(sha256(client.stdout())).toBe(sha256(down));
    expect(client.stderr()).toMatch(
      /^TLS connection with 127\.0\.0\.1 port \d+: TLSv1\.3 TLS_\w+, certificate pinned$/m,
    );
    expect(server.stderr()).toMatch(/^TLS connection with 127\.0\.0\.1 port \d+: TLSv1\.3 TLS_\w+$/m);
  });

  it('a pin without colons, in lower case, is the same pin', async () => {
    const { proc: server, port, pin } = await ephemeral();
    const bare = pin.replace('sha256:', '').replace(/:/g, '').toLowerCase();
    const client = tsnc(['--ssl-pin', bare, '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    client.write('pinned\n');
    client.endStdin();
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(server.stdout().toString()).toBe('pinned\n');
  });

  it('a wrong pin: one line, exit 1, nothing sent', async () => {
    const { proc: server, port } = await ephemeral(['-k']);
    const { status, stderr } = await failing([
      '--ssl-pin',
      `sha256:${'00'.repeat(32)}`,
      '127.0.0.1',
      String(port),
    ]);
    expect(status).toBe(1);
    expect(stderr).toBe(
      `tsnc: TLS handshake with 127.0.0.1 port ${port} failed: certificate fingerprint does not match --ssl-pin\n`,
    );
    expect(server.stdout().length).toBe(0);
  });

  it('no pin, no trust file: the self-signed certificate is rejected by the default CAs', async () => {
    const { port } = await ephemeral();
    const { status, stderr } = await failing(['--ssl', '127.0.0.1', String(port)]);
    expect(status).toBe(1);
    expect(stderr).toBe(`tsnc: TLS handshake with 127.0.0.1 port ${port} failed: self-signed certificate\n`);
  });

  it('--ssl-insecure: no verification, the data goes through; -v says it was not verified', async () => {
    const { proc: server, port } = await ephemeral();
    const client = tsnc(['-v', '--ssl-insecure', '127.0.0.1', String(port)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    client.write('anything goes\n');
    client.endStdin();
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(server.stdout().toString()).toBe('anything goes\n');
    expect(client.stderr()).toMatch(/, certificate not verified\n/);
  });

  it('-k: each client its own TLS session; a client that rejects the certificate does not stop it', async () => {
    const { proc: server, port, pin } = await ephemeral(['-k']);
    expect((await failing(['--ssl', '127.0.0.1', String(port)])).status).toBe(1);
    await server.stderrLine(/TLS handshake with 127\.0\.0\.1 port \d+ failed: /);
    for (const text of ['first\n', 'second\n']) {
      const client = tsnc(['--ssl-pin', pin, '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
      client.write(text);
      client.endStdin();
      expect(await client.exited()).toBe(0);
    }
    expect(server.stdout().toString()).toBe('first\nsecond\n');
  });

  it('-c: the program talks through TLS; it answers after the client’s close_notify (half-close)', async () => {
    const { proc: server, port, pin } = await ephemeral(['-c', 'sha256sum']);
    const client = tsnc(['--ssl-pin', pin, '127.0.0.1', String(port)], {
      stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
    });
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(client.stdout().toString()).toBe(`${sha256(up)}  -\n`);
  });

  it('the server’s stdin ends first: its close_notify, and the client still sends until its EOF', async () => {
    const { proc: server, port, pin } = await ephemeral([], 'pipe');
    server.write('hello from the server\n');
    server.endStdin();
    const client = tsnc(['--ssl-pin', pin, '127.0.0.1', String(port)], {
      stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
    });
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(client.stdout().toString()).toBe('hello from the server\n');
    expect(sha256(server.stdout())).toBe(sha256(up));
  });

  it('--send-only: every byte arrives before the client closes', async () => {
    const { proc: server, port, pin } = await ephemeral();
    const client = tsnc(['--send-only', '--ssl-pin', pin, '127.0.0.1', String(port)], {
      stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
    });
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(sha256(server.stdout())).toBe(sha256(up));
  });

  it('a handshake probe (docs/tls.md): -q 0 with an empty stdin exits 0 once the certificate checks out', async () => {
    const { proc: server, port, pin } = await ephemeral(['-k']);
    const probe = (args: string[]) => failing(['-w', '5', '-q', '0', ...args, '127.0.0.1', String(port)]);
    expect(await probe(['--ssl-pin', pin])).toEqual({ status: 0, stderr: '' });
    expect((await probe(['--ssl'])).status).toBe(1);
    server.kill();
  });

  it('-U: TLS over a unix socket', async () => {
    const path = join(files.dir, 'tls.sock');
    const server = tsnc(['-lU', '--ssl', path], { stdio: [openSync(downFile, 'r'), 'pipe', 'pipe'] });
    const pin = await printedPin(server);
    const client = tsnc(['-U', '--ssl-pin', pin, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(sha256(client.stdout())).toBe(sha256(down));
  });

  it('-w: a server that never answers the handshake is given up on (exit 1, one line)', async () => {
    // A plain tsnc listener accepts and never speaks TLS: the ClientHello goes to its stdout.
    const { proc: mute, port } = await listener([], { stdio: ['pipe', 'pipe', 'pipe'] });
    const { status, stderr } = await failing(['-w', '1', '--ssl-insecure', '127.0.0.1', String(port)]);
    expect(status).toBe(1);
    expect(stderr).toBe(`tsnc: TLS handshake with 127.0.0.1 port ${port} failed: timed out after 1 s (-w)\n`);
    mute.kill();
  });
});

describe.skipIf(!hasOpenssl)('--ssl-cert/--ssl-key and CA verification (openssl-made test CA)', () => {
  const served = async (args: string[] = []) =>
    listener(
      ['-s', '127.0.0.1', '--ssl-cert', pki?.serverCert ?? '', '--ssl-key', pki?.serverKey ?? '', ...args],
      {
        stdio: [openSync(downFile, 'r'), 'pipe', 'pipe'],
      },
    );

  it('--ssl-trustfile CA: verified for the address; both directions whole', async () => {
    const { proc: server, port } = await served();
    expect(server.stderr()).not.toContain('TLS certificate');
    const client = tsnc(['-v', '--ssl-trustfile', pki?.caCert ?? '', '127.0.0.1', String(port)], {
      stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
    });
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(sha256(client.stdout())).toBe(sha256(down));
    expect(sha256(server.stdout())).toBe(sha256(up));
    expect(client.stderr()).toContain(', certificate verified for 127.0.0.1\n');
  });

  it('--ssl-servername localhost: the name checked instead of the address', async () => {
    const { proc: server, port } = await served();
    const client = tsnc(
      [
        '-v',
        '--ssl-trustfile',
        pki?.caCert ?? '',
        '--ssl-servername',
        'localhost',
        '127.0.0.1',
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(client.stderr()).toContain(', certificate verified for localhost\n');
    expect(sha256(client.stdout())).toBe(sha256(down));
  });

  it('a name the certificate does not carry: one line, exit 1', async () => {
    const { port } = await served(['-k']);
    const { status, stderr } = await failing([
      '--ssl-trustfile',
      pki?.caCert ?? '',
      '--ssl-servername',
      'wrong.example',
      '127.0.0.1',
      String(port),
    ]);
    expect(status).toBe(1);
    expect(stderr).toBe(
      `tsnc: TLS handshake with 127.0.0.1 port ${port} failed: certificate is not valid for wrong.example (DNS:localhost, IP Address:127.0.0.1)\n`,
    );
  });

  it('without --ssl-trustfile the test CA is unknown: rejected', async () => {
    const { port } = await served(['-k']);
    const { status, stderr } = await failing(['--ssl', '127.0.0.1', String(port)]);
    expect(status).toBe(1);
    expect(stderr).toBe(
      `tsnc: TLS handshake with 127.0.0.1 port ${port} failed: unable to verify the first certificate\n`,
    );
  });

  it('an expired certificate, trusted: rejected as expired', async () => {
    const old = selfSigned({
      commonName: 'localhost',
      altNames: ['127.0.0.1'],
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const cert = files.file('expired.pem', old.certPem);
    const key = files.file('expired.key', old.keyPem);
    const { port } = await listener(['-k', '--ssl-cert', cert, '--ssl-key', key], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { status, stderr } = await failing(['--ssl-trustfile', cert, '127.0.0.1', String(port)]);
    expect(status).toBe(1);
    expect(stderr).toBe(`tsnc: TLS handshake with 127.0.0.1 port ${port} failed: certificate has expired\n`);
  });
});

describe('bad TLS files: one line, exit 1, before anything listens or connects', () => {
  const missing = join(files.dir, 'missing.pem');
  const notPem = files.file('not.pem', 'hello\n');
  it.each([
    [
      ['-l', '-p', '0', '--ssl-cert', missing, '--ssl-key', notPem],
      `tsnc: --ssl-cert ${missing}: No such file or directory\n`,
    ],
    [
      ['-l', '-p', '0', '--ssl-cert', notPem, '--ssl-key', notPem],
      `tsnc: --ssl-cert ${notPem}: no PEM certificate in the file\n`,
    ],
    [
      ['--ssl-trustfile', notPem, '127.0.0.1', '9'],
      `tsnc: --ssl-trustfile ${notPem}: no PEM certificate in the file\n`,
    ],
    [
      ['--ssl-trustfile', files.dir, '127.0.0.1', '9'],
      `tsnc: --ssl-trustfile ${files.dir}: Is a directory\n`,
    ],
  ])('%j', async (args, line) => {
    const { status, stderr } = await failing(args);
    expect(status).toBe(1);
    expect(stderr).toBe(line);
  });

  it.skipIf(!hasOpenssl)('a key that is not the certificate’s', async () => {
    const other = selfSigned({
      commonName: 'x',
      altNames: [],
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    const key = files.file('other.key', other.keyPem);
    const { status, stderr } = await failing([
      '-l',
      '-p',
      '0',
      '--ssl-cert',
      pki?.serverCert ?? '',
      '--ssl-key',
      key,
    ]);
    expect(status).toBe(1);
    expect(stderr).toBe(`tsnc: --ssl-key ${key}: not the key of --ssl-cert\n`);
  });
});
