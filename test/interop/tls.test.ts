// --ssl against real TLS peers: ncat --ssl and openssl s_server/s_client, both roles, both
// directions, a few MiB checked by sha256; every process must end by itself (EXIT_MS).
import { execFileSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { killAll, listener, start, tsnc, waitFor } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { itWithPeer, which } from '../helpers/peers.js';
import { makePki, printedPin } from '../helpers/tls.js';
import { EXIT_MS, startPeerListener, withStdio } from './kit.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const up = randomPayload(4 * 1024 * 1024 + 11);
const down = randomPayload(3 * 1024 * 1024 + 7);
const upFile = files.file('up.bin', up);
const downFile = files.file('down.bin', down);
const pki = which('openssl') === undefined ? undefined : makePki(files.dir);
const itNcat = itWithPeer('ncat');
const itOpenssl = itWithPeer('openssl');
const at = String;

describe('ncat --ssl', () => {
  itNcat('ncat -l --ssl receives from tsnc --ssl-insecure (ncat makes its own certificate)', async () => {
    const { proc: ncat, port } = await startPeerListener('ncat', (p) => ['-l', '--ssl', '127.0.0.1', at(p)], [
      'null',
      'pipe',
    ]);
    const client = tsnc(['--ssl-insecure', '127.0.0.1', at(port)], {
      stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
    });
    expect(await client.exited(EXIT_MS)).toBe(0);
    expect(await ncat.exited(EXIT_MS)).toBe(0);
    expect(sha256(ncat.stdout())).toBe(sha256(up));
  });

  itNcat('ncat -l --ssl sends to tsnc; without --ssl-insecure its certificate is rejected', async () => {
    const { proc: ncat, port } = await startPeerListener('ncat', (p) => ['-l', '--ssl', '127.0.0.1', at(p)], [
      { read: downFile },
      'pipe',
    ]);
    const strict = tsnc(['--ssl', '127.0.0.1', at(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    expect(await strict.exited(EXIT_MS)).toBe(1);
    expect(strict.stderr()).toMatch(
      /^tsnc: TLS handshake with 127\.0\.0\.1 port \d+ failed: self-signed certificate\n$/,
    );
    // ncat served that one client (it failed): a fresh ncat for the transfer.
    await ncat.exited(EXIT_MS).catch(() => ncat.kill('SIGKILL'));
    const second = await startPeerListener('ncat', (p) => ['-l', '--ssl', '127.0.0.1', at(p)], [
      { read: downFile },
      'pipe',
    ]);
    const client = tsnc(['--ssl-insecure', '127.0.0.1', at(second.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await client.exited(EXIT_MS)).toBe(0);
    expect(await second.proc.exited(EXIT_MS)).toBe(0);
    expect(sha256(client.stdout())).toBe(sha256(down));
  });

  itNcat('ncat --ssl pushes to tsnc -l --ssl (ncat does not verify by default)', async () => {
    const { proc: server, port } = await listener(['--ssl'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ncat = withStdio([{ read: upFile }, 'pipe'], (options) =>
      start('ncat', ['--ssl', '127.0.0.1', at(port)], options),
    );
    expect(await ncat.exited(EXIT_MS)).toBe(0);
    expect(await server.exited(EXIT_MS)).toBe(0);
    expect(sha256(server.stdout())).toBe(sha256(up));
  });

  itNcat('ncat --ssl pulls from tsnc -l --ssl', async () => {
    const { proc: server, port } = await listener(['--ssl'], {
      stdio: [openSync(downFile, 'r'), 'pipe', 'pipe'],
    });
    const ncat = withStdio(['null', 'pipe'], (options) =>
      start('ncat', ['--ssl', '127.0.0.1', at(port)], options),
    );
    expect(await ncat.exited(EXIT_MS)).toBe(0);
    expect(await server.exited(EXIT_MS)).toBe(0);
    expect(sha256(ncat.stdout())).toBe(sha256(down));
  });
});

describe('openssl s_server / s_client', () => {
  const serverArgs = (port: number, ...more: string[]): string[] => [
    's_server',
    '-quiet',
    '-naccept',
    '1',
    '-cert',
    pki?.serverCert ?? '',
    '-key',
    pki?.serverKey ?? '',
    '-accept',
    `127.0.0.1:${port}`,
    ...more,
  ];

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    const flag = version === 'TLSv1.3' ? '-tls1_3' : '-tls1_2';
    itOpenssl(`s_server ${flag} sends, tsnc --ssl-trustfile receives (verified, ${version})`, async () => {
      const { proc: server, port } = await startPeerListener('openssl', (p) => serverArgs(p, flag), [
        { read: downFile },
        'pipe',
      ]);
      const client = tsnc(['-v', '--ssl-trustfile', pki?.caCert ?? '', '127.0.0.1', at(port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(await client.exited(EXIT_MS)).toBe(0);
      expect(await server.exited(EXIT_MS)).toBe(0);
      // The length first: on a mismatch it tells lost bytes from changed ones.
      expect(client.stdout().length).toBe(down.length);
      expect(sha256(client.stdout())).toBe(sha256(down));
      expect(client.stderr()).toMatch(
        new RegExp(`: ${version.replace('.', '\\.')} \\S+, certificate verified for 127\\.0\\.0\\.1\\n`),
      );
    });

    itOpenssl(`s_server ${flag} receives from tsnc: close_notify ends it, nothing lost`, async () => {
      // s_server ends the session at EOF on its own stdin (an SSL_write of 0 bytes fails), even
      // with -ign_eof: its stdin stays an open pipe until tsnc is done.
      const { proc: server, port } = await startPeerListener('openssl', (p) => serverArgs(p, flag), [
        'pipe',
        'pipe',
      ]);
      const client = tsnc(['--ssl-trustfile', pki?.caCert ?? '', '127.0.0.1', at(port)], {
        stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
      });
      expect(await client.exited(EXIT_MS)).toBe(0);
      server.endStdin();
      expect(await server.exited(EXIT_MS)).toBe(0);
      expect(sha256(server.stdout())).toBe(sha256(up));
    });
  }

  itOpenssl(
    's_server -Verify 1 asks for a client certificate: --ssl-cert/--ssl-key on the client send it',
    async () => {
      const verifying = (p: number): string[] => serverArgs(p, '-Verify', '1', '-CAfile', pki?.caCert ?? '');
      const trust = ['--ssl-trustfile', pki?.caCert ?? '', '127.0.0.1'];
      const bare = await startPeerListener('openssl', verifying, ['pipe', 'pipe']);
      const refused = tsnc([...trust, at(bare.port)], { stdio: ['pipe', 'pipe', 'pipe'] });
      refused.write('no certificate\n');
      refused.endStdin();
      await refused.exited(EXIT_MS);
      bare.proc.endStdin();
      await bare.proc.exited(EXIT_MS);
      expect(bare.proc.stdout().toString()).not.toContain('no certificate');

      const { proc: server, port } = await startPeerListener('openssl', verifying, ['pipe', 'pipe']);
      const client = tsnc(
        [...trust, at(port), '--ssl-cert', pki?.serverCert ?? '', '--ssl-key', pki?.serverKey ?? ''],
        {
          stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
        },
      );
      expect(await client.exited(EXIT_MS)).toBe(0);
      server.endStdin();
      expect(await server.exited(EXIT_MS)).toBe(0);
      expect(sha256(server.stdout())).toBe(sha256(up));
    },
  );

  itOpenssl('s_client pushes to tsnc -l --ssl-cert (-no_ign_eof: close_notify at its EOF)', async () => {
    const { proc: server, port } = await listener(
      ['--ssl-cert', pki?.serverCert ?? '', '--ssl-key', pki?.serverKey ?? ''],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // -nocommands: a line of the file that starts with K, R or Q is data, not a command.
    const client = withStdio([{ read: upFile }, 'null'], (options) =>
      start(
        'openssl',
        ['s_client', '-quiet', '-nocommands', '-no_ign_eof', '-connect', `127.0.0.1:${port}`],
        options,
      ),
    );
    expect(await client.exited(EXIT_MS)).toBe(0);
    expect(await server.exited(EXIT_MS)).toBe(0);
    expect(sha256(server.stdout())).toBe(sha256(up));
  });

  itOpenssl('s_client -quiet pulls from tsnc -l --ssl-cert until its close_notify', async () => {
    const { proc: server, port } = await listener(
      ['--ssl-cert', pki?.serverCert ?? '', '--ssl-key', pki?.serverKey ?? ''],
      { stdio: [openSync(downFile, 'r'), 'pipe', 'pipe'] },
    );
    // -quiet implies -ign_eof: s_client's empty stdin does not end the session, tsnc's close_notify does.
    const client = withStdio(['null', 'pipe'], (options) =>
      start('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${port}`], options),
    );
    expect(await client.exited(EXIT_MS)).toBe(0);
    expect(await server.exited(EXIT_MS)).toBe(0);
    expect(sha256(client.stdout())).toBe(sha256(down));
  });

  itOpenssl('the printed fingerprint is the sha256 openssl sees of the ephemeral certificate', async () => {
    const { proc: server, port } = await listener(['--ssl'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pin = await printedPin(server);
    const client = withStdio(['null', 'pipe'], (options) =>
      start('openssl', ['s_client', '-connect', `127.0.0.1:${port}`], options),
    );
    expect(await client.exited(EXIT_MS)).toBe(0);
    await server.exited(EXIT_MS);
    const pem = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/.exec(
      client.stdout().toString(),
    )?.[0];
    const seen = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], {
      input: pem,
      encoding: 'utf8',
    });
    expect(seen.trim()).toBe(`sha256 Fingerprint=${pin.replace('sha256:', '')}`);
  });
});

describe('--ssl through a proxy (-x)', () => {
  // ncat's HTTP proxy ends the whole tunnel at the first FIN (plain TCP too), so each transfer goes
  // one way: the other side's stdin is /dev/null, which sends no FIN (rule 1 of docs/options.md). An upload's
  // FIN cannot end it cleanly through ncat: ncat then closes its socket to the server with the
  // server's TLS session tickets still unread, which makes that close a reset (seen with tcpdump:
  // the RST comes from ncat's port), and the reset discards what the server had not read yet. So
  // the upload keeps its side open (--no-shutdown) and is checked once every byte has arrived.
  itNcat(
    'HTTP CONNECT (ncat --proxy-type http): TLS end to end, pinned through the tunnel, each way',
    async () => {
      const proxy = await startPeerListener(
        'ncat',
        (p) => ['-l', '-k', '--proxy-type', 'http', '127.0.0.1', at(p)],
        ['null', 'pipe'],
      );
      const via = ['-X', 'connect', '-x', `127.0.0.1:${proxy.port}`];
      // Download: the server's stdin ends with its FIN, and both ends exit 0.
      {
        const { proc: server, port } = await listener(['--ssl'], {
          stdio: [openSync(downFile, 'r'), 'pipe', 'pipe'],
        });
        const pin = await printedPin(server);
        const client = tsnc([...via, '--ssl-pin', pin, '127.0.0.1', at(port)], {
          stdio: [openSync('/dev/null', 'r'), 'pipe', 'pipe'],
        });
        expect(await client.exited(EXIT_MS)).toBe(0);
        expect(await server.exited(EXIT_MS)).toBe(0);
        expect(sha256(client.stdout())).toBe(sha256(down));
      }
      // Upload: every byte through the tunnel, decrypted by the server.
      {
        const { proc: server, port } = await listener(['--ssl'], {
          stdio: [openSync('/dev/null', 'r'), 'pipe', 'pipe'],
        });
        const pin = await printedPin(server);
        const client = tsnc([...via, '--no-shutdown', '--ssl-pin', pin, '127.0.0.1', at(port)], {
          stdio: [openSync(upFile, 'r'), 'pipe', 'pipe'],
        });
        await waitFor(() => server.stdout().length >= up.length, 'the whole upload at the server', EXIT_MS);
        expect(sha256(server.stdout())).toBe(sha256(up));
        client.kill();
        await client.exited(EXIT_MS);
        await server.exited(EXIT_MS);
      }
      proxy.proc.kill();
    },
  );
});
