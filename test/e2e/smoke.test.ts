import { afterEach, describe, expect, it } from 'vitest';
import { killAll, listener, tsnc } from '../helpers/cli.js';

afterEach(killAll);

describe('smoke', () => {
  it('a line goes from client to listener', async () => {
    const { proc: server, port } = await listener([]);
    const client = tsnc(['127.0.0.1', String(port)]);
    client.write('Hello!\n');
    client.endStdin();
    expect(await client.exited()).toBe(0);
    expect(await server.exited()).toBe(0);
    expect(server.stdout().toString()).toBe('Hello!\n');
  });
});
