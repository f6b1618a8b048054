// A --ssl listener without --ssl-cert prints, after its certificate line, the client command
// that pins that certificate; the tests run the printed command itself (over loopback only).
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { firstNonLoopback } from '../../src/net/pin-command.js';
import { killAll, tsnc, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { parseJsonLine } from '../helpers/json-events.js';
import { makePki, printedPin } from '../helpers/tls.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const COMMAND = /^tsnc: connect with: (tsnc (?:-U )?--ssl-pin (sha256:[0-9A-F:]{95}) (.+))\n/m;

/** The printed command's words, and the pin and the rest (HOST PORT, or -U's PATH). */
const printedCommand = async (proc: Proc): Promise<{ words: string[]; pin: string; where: string }> => {
  const match = await proc.stderrLine(COMMAND);
  return { words: (match[1] ?? '').split(' '), pin: match[2] ?? '', where: match[3] ?? '' };
};

/** Run a printed `tsnc ...` command with the built CLI, stdin from data. */
const runPrinted = (words: string[], data: Buffer): Proc => {
  expect(words[0]).toBe('tsnc');
  const client = tsnc(words.slice(1));
  client.write(data);
  client.endStdin();
  return client;
};

describe('--ssl listener with an ephemeral certificate: the client command', () => {
  it('-l 127.0.0.1 PORT: the command names that address and the port; run as printed, it connects and pins', async () => {
    const receiver = tsnc(['-l', '-v', '-n', '--ssl', '127.0.0.1', '0']);
    const port = (await receiver.stderrLine(/Listening on \S+ (\d+)\n/))[1];
    const pin = await printedPin(receiver);
    const printed = await printedCommand(receiver);
    expect(printed.pin).toBe(pin);
    expect(printed.where).toBe(`127.0.0.1 ${port}`);
    // The certificate line comes first, then the command.
    expect(receiver.stderr().indexOf('TLS certificate')).toBeLessThan(
      receiver.stderr().indexOf('connect with'),
    );
    const payload = randomPayload(100_000);
    const client = runPrinted(printed.words, payload);
    expect(await client.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(sha256(receiver.stdout())).toBe(sha256(payload));
  });

  it('no -l address: the host is the first non-loopback address of this host (only printed, never reached)', async () => {
    const receiver = tsnc(['-l', '-v', '-n', '--ssl', '-p', '0']);
    const port = (await receiver.stderrLine(/Listening on \S+ (\d+)\n/))[1];
    const printed = await printedCommand(receiver);
    const [host, printedPort] = printed.where.split(' ');
    expect(printedPort).toBe(port);
    const external = Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .filter((info) => !info.internal && info.family === 'IPv4')
      .map((info) => info.address);
    if (external.length > 0) expect(host).toBe(external[0]);
    else expect(host).toBe('127.0.0.1');
    // The same pin over loopback (the certificate names 127.0.0.1 too).
    const client = runPrinted(
      [...printed.words.slice(0, -2), '127.0.0.1', String(port)],
      Buffer.from('hi\n'),
    );
    expect(await client.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(receiver.stdout().toString()).toBe('hi\n');
  });

  it('-U: tsnc -U --ssl-pin ... PATH, run as printed', async () => {
    const path = join(files.dir, 'tls.sock');
    const receiver = tsnc(['-lU', '--ssl', path]);
    const printed = await printedCommand(receiver);
    expect(printed.words.slice(0, 2)).toEqual(['tsnc', '-U']);
    expect(printed.where).toBe(path);
    const client = runPrinted(printed.words, Buffer.from('over unix\n'));
    expect(await client.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(receiver.stdout().toString()).toBe('over unix\n');
  });

  it('--json: a pin-command event (valid under the schema) after the certificate event, with host and port', async () => {
    const receiver = tsnc(['--json', '-l', '--ssl', '127.0.0.1', '0']);
    const line = await receiver.stderrLine(/^\{"event":"pin-command".*\n/m);
    const events = receiver
      .stderr()
      .trim()
      .split('\n')
      .map((text) => parseJsonLine(text));
    const certificate = events.find((event) => event.event === 'certificate');
    const listening = events.find((event) => event.event === 'listening');
    const command = parseJsonLine(line[0].trim());
    expect(command).toMatchObject({ host: '127.0.0.1', port: listening?.port });
    expect(command.command).toBe(
      `tsnc --ssl-pin ${String(certificate?.fingerprint)} 127.0.0.1 ${String(listening?.port)}`,
    );
    receiver.kill('SIGTERM');
    expect(await receiver.exited()).toBe(143);
  });

  it('with --ssl-cert: no certificate line and no command', async () => {
    const pki = makePki(files.dir);
    const receiver = tsnc([
      '-l',
      '-v',
      '-n',
      '--ssl-cert',
      pki.serverCert,
      '--ssl-key',
      pki.serverKey,
      '-p',
      '0',
    ]);
    await receiver.stderrLine(/Listening on \S+ (\d+)\n/);
    receiver.kill('SIGTERM');
    expect(await receiver.exited()).toBe(143);
    expect(receiver.stderr()).not.toMatch(/connect with|TLS certificate/);
  });
});

describe('firstNonLoopback', () => {
  const info = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({
    address,
    family,
    internal,
    netmask: '',
    mac: '',
    cidr: null,
    ...(family === 'IPv6' ? { scopeid: 0 } : {}),
  });
  const interfaces = {
    lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
    eth0: [info('fe80::1', 'IPv6'), info('fd00::5', 'IPv6'), info('10.1.2.3', 'IPv4')],
  } as unknown as Parameters<typeof firstNonLoopback>[1];
  it.each([
    [undefined, '10.1.2.3'],
    [4, '10.1.2.3'],
    [6, 'fd00::5'],
  ] as const)('family %s -> %s (link-local and loopback skipped)', (family, address) => {
    expect(firstNonLoopback(family, interfaces)).toBe(address);
  });
  it('only loopback: 127.0.0.1 (::1 with -6)', () => {
    const lo = { lo: interfaces?.['lo'] } as Parameters<typeof firstNonLoopback>[1];
    expect(firstNonLoopback(undefined, lo)).toBe('127.0.0.1');
    expect(firstNonLoopback(6, lo)).toBe('::1');
  });
});
