/** When to half-close (send FIN) once stdin has ended. */
export type ShutdownPolicy =
  /** FIN if stdin delivered at least one byte or is a regular file (tsnc's default). */
  | 'auto'
  /** always FIN (-N, -q N with N >= 0). */
  | 'always'
  /** never FIN (--no-shutdown: plain nc.openbsd). */
  | 'never';

export type Family = 4 | 6 | undefined;

/** What both modes share: the rules of the data path and the diagnostics. */
export interface SessionConfig {
  readonly family: Family;
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly readStdin: boolean;
  readonly shutdown: ShutdownPolicy;
  /** -q N: after stdin EOF exit when the peer finishes or after this many ms; undefined: wait for the peer. */
  readonly quitAfterEofMs: number | undefined;
  /** -w N once connected: end the session after this much silence in both directions. */
  readonly idleTimeoutMs: number | undefined;
}

export interface ConnectConfig extends SessionConfig {
  readonly mode: 'connect';
  readonly host: string;
  readonly ports: readonly number[];
  readonly sourceAddress: string | undefined;
  readonly sourcePort: number | undefined;
  readonly connectTimeoutMs: number | undefined;
}

export interface ListenConfig extends SessionConfig {
  readonly mode: 'listen';
  /** Address to bind; undefined: 0.0.0.0 (or :: with -6), as nc.openbsd. */
  readonly bindAddress: string | undefined;
  readonly port: number;
  readonly keepListening: boolean;
}

export type Config = ConnectConfig | ListenConfig;

/** What the command line asked for: a session, or just text to print. */
export type Command =
  | { readonly kind: 'run'; readonly config: Config }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };
