import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SessionConfig } from '../config.js';
import { errnoText, EXIT } from '../errors.js';
import { messages } from '../messages.js';
import type { Sink, Source } from '../io/endpoints.js';
import { relay, type RelayEnd, type RelayRules } from '../io/relay.js';
import { telnetAnswerer } from '../io/telnet.js';
import type { ReportEvent } from '../report.js';

/** What a mode needs besides its config: the standard streams and a voice on stderr. */
export interface ModeContext {
  readonly stdin: Source;
  readonly stdout: Sink;
  /** An error or warning: `prog: text`, always shown. */
  warn(text: string): void;
  /** A -v report, shown bare as nc does (`Listening on ...`), only with -v. */
  info(text: string): void;
  /** A bare line, always shown (nc's fprintf(stderr, ...)). */
  note(text: string): void;
  /** --json only: the same report as data (src/report.ts); undefined otherwise. */
  readonly event?: (event: ReportEvent) => void;
}

/** The relay rules a session config asks for (fresh per session: -t keeps state). */
export const relayRules = (config: SessionConfig): RelayRules => ({
  shutdown: config.shutdown,
  quitAfterEofMs: config.quitAfterEofMs,
  idleTimeoutMs: config.idleTimeoutMs,
  discardReceived: config.discardReceived,
  answer: config.telnet ? telnetAnswerer() : undefined,
});

/** A TCP peer's address and port, taken while the socket is open, for the -v lines. */
const peerOf = (conn: Duplex): { address: string; port: number } | undefined =>
  conn instanceof Socket && conn.remoteAddress !== undefined
    ? { address: conn.remoteAddress, port: conn.remotePort ?? 0 }
    : undefined;

const syscallOf = (error: unknown): string => {
  const syscall = (error as { syscall?: unknown } | undefined)?.syscall;
  return typeof syscall === 'string' ? syscall : 'read';
};

/** How a session ended: as the relay says, or the -e/-c program could not be started. */
export type SessionEnd = RelayEnd | 'exec-failed';

/**
 * Serve one connection: relay stdio over it, or hand it to the -e/-c program. With -v, a reset
 * or an idle timeout is said (nc ends both silently, the same exit status as a normal end).
 */
export const serve = async (conn: Duplex, config: SessionConfig, ctx: ModeContext): Promise<SessionEnd> => {
  if (config.exec === undefined) {
    // getpeername costs a syscall per -k client; only -v says the peer
    const peer = config.verbose ? peerOf(conn) : undefined;
    const end = await relay(conn, ctx.stdin, ctx.stdout, {
      ...relayRules(config),
      sharedReceiveBuffer: true,
      onReset: (error) => {
        if (peer === undefined) return;
        ctx.warn(messages.sessionFailed(peer.address, peer.port, syscallOf(error), errnoText(error)));
      },
    });
    if (end === 'idle' && peer !== undefined && config.idleTimeoutMs !== undefined) {
      ctx.warn(messages.sessionIdle(peer.address, peer.port, config.idleTimeoutMs / 1000));
    }
    ctx.event?.({ event: 'closed', end, ...peer });
    return end;
  }
  const peer = peerOf(conn);
  const { execSession } = await import('./exec.js');
  const started = await execSession(conn, config.exec, config, (text) => ctx.warn(text));
  ctx.event?.({ event: 'closed', end: started ? 'complete' : 'exec-failed', ...peer });
  return started ? 'complete' : 'exec-failed';
};

/** The exit status a finished session stands for. */
export const sessionExitCode = (end: SessionEnd): number =>
  end === 'stdout-failed' || end === 'exec-failed' ? EXIT.failure : EXIT.ok;
