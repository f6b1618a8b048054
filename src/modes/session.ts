import type { Duplex } from 'node:stream';
import type { SessionConfig } from '../config.js';
import { EXIT } from '../errors.js';
import type { Sink, Source } from '../io/endpoints.js';
import { relay, type RelayEnd, type RelayRules } from '../io/relay.js';
import { telnetAnswerer } from '../io/telnet.js';

/** What a mode needs besides its config: the standard streams and a voice on stderr. */
export interface ModeContext {
  readonly stdin: Source;
  readonly stdout: Sink;
  /** An error or warning: `prog: text`, always shown. */
  warn(text: string): void;
  /** A -v report, shown bare as nc does (`Listening on ...`), only with -v. */
  info(text: string): void;
}

/** The relay rules a session config asks for (fresh per session: -t keeps state). */
export const relayRules = (config: SessionConfig): RelayRules => ({
  shutdown: config.shutdown,
  quitAfterEofMs: config.quitAfterEofMs,
  idleTimeoutMs: config.idleTimeoutMs,
  discardReceived: config.discardReceived,
  answer: config.telnet ? telnetAnswerer() : undefined,
});

/** How a session ended: as the relay says, or the -e/-c program could not be started. */
export type SessionEnd = RelayEnd | 'exec-failed';

/** Serve one connection: relay stdio over it, or hand it to the -e/-c program. */
export const serve = async (conn: Duplex, config: SessionConfig, ctx: ModeContext): Promise<SessionEnd> => {
  if (config.exec === undefined) return relay(conn, ctx.stdin, ctx.stdout, relayRules(config));
  const { execSession } = await import('./exec.js');
  return (await execSession(conn, config.exec, config, (text) => ctx.warn(text)))
    ? 'complete'
    : 'exec-failed';
};

/** The exit status a finished session stands for. */
export const sessionExitCode = (end: SessionEnd): number =>
  end === 'stdout-failed' || end === 'exec-failed' ? EXIT.failure : EXIT.ok;
