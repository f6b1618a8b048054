import type { Socket as DgramSocket } from 'node:dgram';
import type { RelayConfig } from '../config.js';
import { errnoText, EXIT, resolveErrorText } from '../errors.js';
import { messages } from '../messages.js';
import { resolveHost, ResolveError } from '../net/resolve.js';
import { connectUdp, openUdp, type Peer } from '../net/udp.js';
import { gateFor, openUdpListener, refused } from './listen.js';
import { targetFamily } from './relay.js';
import type { ModeContext } from './session.js';

/** One client address and its own socket to the target. */
interface Association {
  readonly client: Peer;
  /** Datagrams from the client before the upstream socket is ready. */
  readonly waiting: Buffer[];
  upstream: DgramSocket | undefined;
  timer: NodeJS.Timeout;
  toTarget: number;
  fromTarget: number;
  closed: boolean;
}

/** Datagrams kept per association until its upstream socket is ready. */
const MAX_WAITING = 64;

const keyOf = (peer: Peer): string => `${peer.address}|${peer.port}`;

/**
 * -u -l --relay host:port: a UDP forwarder. Each client address gets its own socket to the target
 * (an association), so the target's answers go back to the client that asked, and to no one
 * else. An association ends after -w (default 60 s) without a datagram either way; at most -m
 * live at once (a new client beyond that is dropped). Without -k: the first client only, and
 * tsnc exits once its association has ended.
 */
export const udpRelayMode = async (config: RelayConfig, ctx: ModeContext): Promise<number> => {
  const { target } = config;
  if (target.kind !== 'udp') throw new Error('a stream target in the UDP relay');
  const gate = await gateFor(config);
  const socket = await openUdpListener(config, ctx);
  if (socket === undefined) return EXIT.failure;
  const bound = socket.address();
  ctx.info(messages.bound(bound.address, bound.port));
  ctx.event?.({ event: 'bound', proto: 'udp', address: bound.address, port: bound.port });

  const where = `${target.host} port ${target.port} (udp)`;
  const associations = new Map<string, Association>();
  let firstClient: string | undefined;
  let status: number = EXIT.ok;
  let resolveDone: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const close = (association: Association, how: string): void => {
    if (association.closed) return;
    association.closed = true;
    clearTimeout(association.timer);
    association.upstream?.close();
    associations.delete(keyOf(association.client));
    const { client } = association;
    ctx.info(
      messages.relayClosed(
        `${client.address} ${client.port}`,
        how,
        association.toTarget,
        association.fromTarget,
      ),
    );
    ctx.event?.({
      event: 'relay-closed',
      proto: 'udp',
      ...client,
      target: config.targetText,
      end: how === 'idle' ? 'idle' : 'reset',
      resetBy: how === 'idle' ? null : 'target',
      bytesToTarget: association.toTarget,
      bytesFromTarget: association.fromTarget,
      durationMs: null,
    });
    if (!config.keepListening) resolveDone?.();
  };

  const open = async (association: Association): Promise<void> => {
    const { client } = association;
    let addresses: string[];
    try {
      addresses = await resolveHost(target.host, targetFamily(config, target.host), config.numeric);
    } catch (error) {
      if (!(error instanceof ResolveError)) throw error;
      fail(association, messages.relayFailed(where, resolveErrorText(error)));
      return;
    }
    const address = addresses[0] ?? target.host;
    let upstream: DgramSocket;
    try {
      upstream = await openUdp(address, undefined, undefined, config.socketOptions);
      await connectUdp(upstream, address, target.port);
    } catch (error) {
      fail(association, messages.relayFailed(where, errnoText(error)));
      return;
    }
    if (association.closed) {
      upstream.close();
      return;
    }
    association.upstream = upstream;
    upstream.on('message', (message: Buffer) => {
      association.timer.refresh();
      association.fromTarget += message.length;
      socket.send(message, client.port, client.address);
    });
    // An ICMP "port unreachable" for an earlier datagram: the target is not there (now); the
    // association stays, as a DNS client simply retries.
    upstream.on('error', () => undefined);
    ctx.info(
      messages.relayConnected(
        address === target.host ? where : `${target.host} (${address}) port ${target.port} (udp)`,
      ),
    );
    ctx.event?.({
      event: 'relayed',
      proto: 'udp',
      ...client,
      target: config.targetText,
      targetAddress: address,
    });
    for (const message of association.waiting.splice(0)) upstream.send(message);
  };

  const fail = (association: Association, line: string): void => {
    if (ctx.event !== undefined) {
      ctx.event({
        event: 'relay-failed',
        proto: 'udp',
        ...association.client,
        target: config.targetText,
        message: line,
      });
    } else if (config.verbose) {
      ctx.warn(line);
    }
    association.closed = true;
    clearTimeout(association.timer);
    associations.delete(keyOf(association.client));
    if (!config.keepListening) {
      status = EXIT.failure;
      resolveDone?.();
    }
  };

  socket.on('message', (message: Buffer, info: Peer) => {
    const client = { address: info.address, port: info.port };
    const key = keyOf(client);
    let association = associations.get(key);
    if (association === undefined) {
      if (!config.keepListening && firstClient !== undefined && firstClient !== key) return;
      const verdict = gate?.check(client.address) ?? { ok: true };
      if (!verdict.ok) {
        refused(ctx, client, messages.refusedNotAllowed(client.address, client.port, verdict.rule));
        return;
      }
      if (associations.size >= config.maxConnections) {
        refused(ctx, client, messages.refusedTooMany(client.address, client.port, config.maxConnections));
        return;
      }
      if (!config.keepListening && firstClient !== undefined) return;
      firstClient = key;
      const created: Association = {
        client,
        waiting: [],
        upstream: undefined,
        timer: setTimeout(() => close(created, 'idle'), config.associationIdleMs),
        toTarget: 0,
        fromTarget: 0,
        closed: false,
      };
      association = created;
      associations.set(key, created);
      ctx.info(messages.connectionReceived(client.address, client.port));
      ctx.event?.({ event: 'accepted', proto: 'udp', ...client });
      void open(created);
    }
    association.timer.refresh();
    association.toTarget += message.length;
    if (association.upstream === undefined) {
      // A bounded queue while the target is looked up: UDP may drop, memory must not grow.
      if (association.waiting.length < MAX_WAITING) association.waiting.push(Buffer.from(message));
    } else association.upstream.send(message);
  });
  socket.on('error', () => undefined);

  await done;
  socket.close();
  return status;
};
