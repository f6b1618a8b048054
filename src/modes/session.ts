import type { SessionConfig } from '../config.js';
import { EXIT } from '../errors.js';
import type { Sink, Source } from '../io/endpoints.js';
import type { RelayEnd, RelayRules } from '../io/relay.js';
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

/** The exit status a finished session stands for. */
export const sessionExitCode = (end: RelayEnd): number => (end === 'stdout-failed' ? EXIT.failure : EXIT.ok);
