// -l -k --fan-out: stdin's lines to every client at once, clients' lines to stdout never mixed,
// a client too far behind disconnected; -l -k -o TEMPLATE: each client's bytes in its own file.
// Peers: tsnc clients, and a python3 client that never reads (the slow reader).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, start, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { parseJsonLine } from '../helpers/json-events.js';
import { itWithPeer } from '../helpers/peers.js';
import { printedPin } from '../helpers/tls.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

const accepted = (proc: Proc): number => (proc.stderr().match(/^Connection received on /gm) ?? []).length;

/** A tsnc client that only receives (-d), so its stdout is what the listener fanned out. */
const receiver = (port: number): Proc =>
  tsnc(['-d', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });

describe('--fan-out', () => {
  it('each line of stdin reaches every connected client; stdin’s EOF is a FIN to each (they exit 0)', async () => {
    const { proc: hub, port } = await listener(['-k', '--fan-out']);
    const clients = [receiver(port), receiver(port), receiver(port)];
    await waitFor(() => accepted(hub) === 3, 'three clients');
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}\n`).join('');
    hub.write(text);
    hub.endStdin();
    for (const client of clients) {
      expect(await client.exited()).toBe(0);
      expect(client.stdout().toString()).toBe(text);
    }
    // -k: still listening after stdin's end; a late client gets the FIN at once.
    const late = receiver(port);
    expect(await late.exited()).toBe(0);
    expect(late.stdout().length).toBe(0);
    hub.kill('SIGTERM');
    expect(await hub.exited()).toBe(143);
  });

  it('clients sending at once: their lines reach stdout whole and in each client’s order, never mixed', async () => {
    const { proc: hub, port } = await listener(['-k', '--fan-out', '-d']);
    const texts = [1, 2, 3, 4].map((c) =>
      Array.from(
        { length: 3000 },
        (_, i) => `client ${c} line ${i} ${'abcdefghij'.repeat(1 + ((i * c) % 13))}\n`,
      ).join(''),
    );
    const senders = texts.map((text) => {
      const sender = tsnc(['-N', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
      sender.write(text);
      sender.endStdin();
      return sender;
    });
    for (const sender of senders) expect(await sender.exited()).toBe(0);
    const total = texts.reduce((sum, text) => sum + text.length, 0);
    await waitFor(() => hub.stdout().length === total, 'every byte on stdout');
    const lines = hub.stdout().toString().split('\n').slice(0, -1);
    for (const [c, text] of texts.entries()) {
      const mine = lines.filter((line) => line.startsWith(`client ${c + 1} `));
      expect(`${mine.join('\n')}\n`).toBe(text);
    }
    // Every line is one of a client's: none was cut and mixed with another's.
    expect(lines.every((line) => /^client [1-4] line \d+ (abcdefghij)+$/.test(line))).toBe(true);
    hub.kill('SIGTERM');
    await hub.exited();
  });

  for (const json of [false, true]) {
    itWithPeer('python3')(
      `a client that does not read is disconnected once it is --fan-out-limit behind (${json ? 'a dropped event' : 'a -v line'}); the others get everything`,
      async () => {
        const voice = json ? '--json' : '-vn';
        const hub = tsnc([voice, '-lk', '--fan-out', '--fan-out-limit', '256K', '-p', '0']);
        const listening = json ? /"event":"listening".*"port":(\d+)/ : /Listening on \S+ (\d+)\n/;
        const port = Number((await hub.stderrLine(listening))[1]);
        const clientsSeen = (): number =>
          (hub.stderr().match(json ? /"event":"accepted"/g : /^Connection received on /gm) ?? []).length;
        const fast = receiver(port);
        await waitFor(() => clientsSeen() === 1, 'the fast client');
        // A small receive buffer and no reads: what is sent to it piles up in tsnc.
        const slow = start('python3', [
          '-c',
          'import socket,sys,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,4096)\ns.connect(("127.0.0.1",int(sys.argv[1])))\nprint("up",flush=True)\ntime.sleep(60)',
          String(port),
        ]);
        await waitFor(() => clientsSeen() === 2, 'the slow client');
        const line = `${'y'.repeat(1023)}\n`;
        const batch = line.repeat(256);
        let sent = 0;
        const droppedYet = (): boolean => (json ? /"event":"dropped"/ : /Disconnected/).test(hub.stderr());
        // Paced by the fast client, so only the slow one falls behind; bounded: 48 MiB at most.
        for (let i = 0; i < 192 && !droppedYet(); i += 1) {
          hub.write(batch);
          sent += batch.length;
          await waitFor(() => fast.stdout().length === sent, 'the fast client to keep up', 20_000);
        }
        if (json) {
          const dropped = parseJsonLine((await hub.stderrLine(/^\{"event":"dropped".*\n/m))[0].trim());
          expect(dropped).toMatchObject({ proto: 'tcp', address: '127.0.0.1', limit: 256 * 1024 });
          expect(dropped.behind).toBeGreaterThan(256 * 1024);
        } else {
          const dropped = await hub.stderrLine(
            /^Disconnected 127\.0\.0\.1 (\d+): more than 256K behind \(--fan-out-limit\)\n/m,
          );
          expect(Number(dropped[1])).toBeGreaterThan(0);
        }
        hub.write(batch);
        sent += batch.length;
        hub.endStdin();
        expect(await fast.exited()).toBe(0);
        expect(fast.stdout().length).toBe(sent);
        expect(fast.stdout().toString()).toBe(line.repeat(sent / line.length));
        slow.kill();
        hub.kill('SIGTERM');
        await hub.exited();
      },
      60_000,
    );
  }

  it('--json: accepted events, a summary with the bytes fanned out (counted once) and received', async () => {
    const hub = tsnc(['--json', '-lk', '--fan-out', '-p', '0']);
    const port = Number((await hub.stderrLine(/"event":"listening".*"port":(\d+)/))[1]);
    const client = tsnc(['127.0.0.1', String(port)]);
    await hub.stderrLine(/"event":"accepted"/);
    hub.write('down\n');
    await waitFor(() => client.stdout().toString() === 'down\n', 'the fanned-out line');
    // The client's FIN does not end its session: stdin is still sending (nc's rule).
    client.write('up\n');
    client.endStdin();
    await waitFor(() => hub.stdout().toString() === 'up\n', 'the client’s line');
    hub.endStdin();
    expect(await client.exited()).toBe(0);
    expect(client.stdout().toString()).toBe('down\n');
    hub.kill('SIGTERM');
    expect(await hub.exited()).toBe(143);
    const events = hub.stderr().trim().split('\n').map(parseJsonLine);
    expect(events.map((event) => event.event)).toEqual(['listening', 'accepted', 'summary']);
    expect(events.at(-1)).toMatchObject({ bytesSent: 5, bytesReceived: 3, end: 'signal' });
  });

  it('--ssl: each client gets the lines over its own TLS session (pinned by the printed fingerprint)', async () => {
    const { proc: hub, port } = await listener(['-k', '--fan-out', '--ssl']);
    const pin = await printedPin(hub);
    const clients = [0, 1].map(() =>
      tsnc(['-d', '--ssl-pin', pin, '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    await waitFor(
      () => (hub.stderr().match(/^TLS connection with /gm) ?? []).length === 2,
      'two TLS sessions',
    );
    hub.write('secret line\n');
    hub.endStdin();
    for (const client of clients) {
      expect(await client.exited()).toBe(0);
      expect(client.stdout().toString()).toBe('secret line\n');
    }
    hub.kill('SIGTERM');
    await hub.exited();
  });

  it('-m 2: a third client at once is refused (-v line); the two get the lines', async () => {
    const { proc: hub, port } = await listener(['-k', '--fan-out', '-m', '2']);
    const clients = [receiver(port), receiver(port)];
    await waitFor(() => accepted(hub) === 2, 'two clients');
    const third = receiver(port);
    await hub.stderrLine(/^Refused connection from 127\.0\.0\.1 \d+: already 2 connections \(-m\)\n/m);
    expect(await third.exited()).toBe(0);
    expect(third.stdout().length).toBe(0);
    hub.write('two only\n');
    hub.endStdin();
    for (const client of clients) {
      expect(await client.exited()).toBe(0);
      expect(client.stdout().toString()).toBe('two only\n');
    }
    hub.kill('SIGTERM');
    await hub.exited();
  });

  it('-U: the same over a unix socket', async () => {
    const path = join(files.dir, 'fan.sock');
    const hub = tsnc(['-lkvU', '--fan-out', path]);
    await hub.stderrLine(/Listening on /);
    const clients = [0, 1].map(() => tsnc(['-dU', path], { stdio: ['ignore', 'pipe', 'pipe'] }));
    await waitFor(() => accepted(hub) === 2, 'two clients');
    hub.write('to all\n');
    hub.endStdin();
    for (const client of clients) {
      expect(await client.exited()).toBe(0);
      expect(client.stdout().toString()).toBe('to all\n');
    }
    hub.kill('SIGTERM');
    await hub.exited();
  });
});

describe('-o TEMPLATE', () => {
  it('a drop box: many senders at once, each upload in its own file (%n, %a), nothing on stdout', async () => {
    const dir = join(files.dir, 'box');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const { proc: box, port } = await listener(['-k', '-o', join(dir, 'upload-%n-%a.bin')]);
    const uploads = [0, 1, 2, 3].map(() => randomPayload(1_000_000 + Math.floor(Math.random() * 1000)));
    const senders = uploads.map((data) => {
      const sender = tsnc(['127.0.0.1', String(port)]);
      sender.write(data);
      sender.endStdin();
      return sender;
    });
    for (const sender of senders) expect(await sender.exited()).toBe(0);
    await waitFor(() => readdirSync(dir).length === 4, 'four files');
    const names = readdirSync(dir).sort();
    expect(names).toEqual([1, 2, 3, 4].map((n) => `upload-${n}-127.0.0.1.bin`));
    await waitFor(
      () =>
        names.reduce((sum, name) => sum + readFileSync(join(dir, name)).length, 0) ===
        uploads.reduce((s, u) => s + u.length, 0),
      'every byte in the files',
    );
    const stored = names.map((name) => sha256(readFileSync(join(dir, name)))).sort();
    expect(stored).toEqual(uploads.map(sha256).sort());
    expect(box.stdout().length).toBe(0);
    box.kill('SIGTERM');
    expect(await box.exited()).toBe(143);
  });

  it('--json: a saved event per client with its file and byte count; with --fan-out the clients also get stdin', async () => {
    const hub = tsnc(['--json', '-lk', '--fan-out', '-o', join(files.dir, 'json-%n'), '-p', '0']);
    const port = Number((await hub.stderrLine(/"event":"listening".*"port":(\d+)/))[1]);
    const client = tsnc(['127.0.0.1', String(port)]);
    await hub.stderrLine(/"event":"accepted"/);
    hub.write('hello\n');
    await waitFor(() => client.stdout().toString() === 'hello\n', 'the fanned-out line');
    client.write('payload bytes');
    client.endStdin();
    const saved = parseJsonLine((await hub.stderrLine(/^\{"event":"saved".*\n/m))[0].trim());
    expect(saved).toMatchObject({
      proto: 'tcp',
      address: '127.0.0.1',
      file: join(files.dir, 'json-1'),
      bytesReceived: 13,
    });
    expect(readFileSync(join(files.dir, 'json-1'), 'utf8')).toBe('payload bytes');
    hub.endStdin();
    expect(await client.exited()).toBe(0);
    hub.kill('SIGTERM');
    await hub.exited();
  });
});
