// --sha256, --progress and --verify as docs/transfers.md shows them: its recipe run as written, the
// times --progress reports, and one byte count for a failed --verify everywhere --json says one.
import { execFileSync } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { parseJsonLine } from '../helpers/json-events.js';
import { peerClient, quietPeriod } from '../helpers/peer.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

const TRANSFERS = readFileSync(new URL('../../docs/transfers.md', import.meta.url), 'utf8');

/** The section on --sha256 and --progress, up to the next heading. */
const checkedTransfers = ((): string => {
  const start = TRANSFERS.indexOf('## Checked transfers');
  return TRANSFERS.slice(start, TRANSFERS.indexOf('\n## ', start + 1));
})();

/** The shell lines of the section's code blocks, in order. */
const shellLines = [...checkedTransfers.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
  (block[1] ?? '').split('\n').filter((line) => line.trim() !== ''),
);

describe('the recipe for comparing --sha256 lines, run exactly as written', () => {
  it('the transfer commands (with --progress on the sender) give the logs the comparison reads', async () => {
    const [receiverLine, senderLine, compareLine] = shellLines;
    expect(receiverLine).toMatch(/^tsnc -l -p 8001 --sha256 > dump\.sql 2> rx\.log\s+#/);
    expect(senderLine).toMatch(/^tsnc --sha256 --progress db 8001 < dump\.sql 2> tx\.log\s+#/);
    expect(compareLine).toContain("sed -n 's/^tsnc: sent //p' tx.log");
    const payload = randomPayload(300_000);
    const dir = files.dir;
    writeFileSync(join(dir, 'dump.sql'), payload);
    // The recipe's flags; a port the test owns and 127.0.0.1 for db.
    const { proc: receiver, port } = await listener(['--sha256'], {
      stdio: ['ignore', openSync(join(dir, 'received.sql'), 'w'), 'pipe'],
    });
    const sender = tsnc(['--sha256', '--progress', '127.0.0.1', String(port)], {
      stdio: [openSync(join(dir, 'dump.sql'), 'r'), 'ignore', 'pipe'],
    });
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    // listener() adds -v -n: the receiver's log also has its -v lines, as a user's might.
    writeFileSync(join(dir, 'rx.log'), receiver.stderr());
    writeFileSync(join(dir, 'tx.log'), sender.stderr());
    expect(sender.stderr()).toMatch(/^tsnc: 300000 bytes sent \(/);

    const compare = (line: string): string =>
      execFileSync('sh', ['-c', line.replace(/\s+#.*$/, '')], { cwd: dir, encoding: 'utf8' });
    expect(compare(compareLine ?? '')).toBe('identical\n');
    // Each side of the comparison is one line: the one of --sha256.
    expect(compare("sed -n 's/^tsnc: sent //p' tx.log")).toBe(`300000 bytes, sha256 ${sha256(payload)}\n`);
    // A transfer that differs does not pass.
    writeFileSync(join(dir, 'rx.log'), receiver.stderr().replace(/^(tsnc: received )\d+/m, '$1299999'));
    expect(() => compare(compareLine ?? '')).toThrow();
  });
});

describe('--progress counts from the connection', () => {
  it('a listener that waited for its client: the time and rates are those of the session', async () => {
    const { proc, port } = await listener(['--progress'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The client comes late: 1.5 s of waiting that the summary must not contain.
    await quietPeriod(1500);
    const connecting = performance.now();
    const client = await peerClient(port);
    client.socket.end(randomPayload(64 * 1024));
    expect(await proc.exited()).toBe(0);
    const session = (performance.now() - connecting) / 1000;
    const match = /^tsnc: 0 bytes sent \(0 B\/s\), 65536 bytes received \([\d.]+ \S+\) in ([\d.]+) s$/m.exec(
      proc.stderr(),
    );
    expect(match, proc.stderr()).not.toBeNull();
    // The session lies inside what the test saw from its connect to tsnc's exit.
    expect(Number(match?.[1])).toBeLessThanOrEqual(session + 0.01);
  });
});

describe('--json with a failed --verify: one byte count', () => {
  it.each([
    ['100000 bytes without a trailer', 100_000],
    ['2 bytes (less than a trailer)', 2],
  ])('%s: closed, summary and stdout say the same', async (_label, size) => {
    const payload = randomPayload(size);
    const proc = tsnc(['--json', '--verify', '-l', '-n', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const [, port] = await proc.stderrLine(/"event":"listening".*"port":(\d+)/);
    const client = await peerClient(Number(port));
    client.socket.end(payload);
    expect(await proc.exited()).toBe(1);
    const events = proc
      .stderr()
      .trimEnd()
      .split('\n')
      .map((line) => parseJsonLine(line));
    const closed = events.find((event) => event.event === 'closed');
    const summary = events.at(-1);
    expect(proc.stdout().equals(payload)).toBe(true);
    expect(closed?.['bytesReceived']).toBe(size);
    expect(summary?.['bytesReceived']).toBe(size);
    expect(events.map((event) => event.event)).toEqual([
      'listening',
      'accepted',
      'closed',
      'error',
      'summary',
    ]);
    expect(events[3]?.['message']).toMatch(/^verify failed: no trailer after \d+ bytes/);
  });
});
