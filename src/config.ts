/** When to half-close (send FIN) once stdin has ended. */
export type ShutdownPolicy =
  /** FIN if stdin delivered at least one byte or is a regular file (tsnc's default). */
  | 'auto'
  /** always FIN (-N, -q N with N >= 0). */
  | 'always'
  /** never FIN (--no-shutdown: plain nc.openbsd behaviour). */
  | 'never';

export type Family = 4 | 6 | undefined;

/** tcp (default), udp (-u), unix (-U: a stream socket at a path), unix-dgram (-U -u). */
export type Transport = 'tcp' | 'udp' | 'unix' | 'unix-dgram';

/** A program whose stdin and stdout are the connection (-e, -c). */
export interface ExecSpec {
  readonly file: string;
  readonly args: readonly string[];
}

/** -x/-X/-P: reach the destination through a proxy (nc.openbsd's socks.c). */
export interface ProxySpec {
  readonly protocol: 'socks4' | 'socks5' | 'connect';
  readonly host: string;
  readonly port: number;
  /** -P: the user for HTTP CONNECT's Basic authentication (the password is asked on the terminal). */
  readonly user: string | undefined;
}

/** --allow/--deny and their files: who may connect to a listener. */
export interface AccessSpec {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly allowFiles: readonly string[];
  readonly denyFiles: readonly string[];
}

/** Socket options nc sets in set_common_sockopts() and for -b. */
export interface SocketOptions {
  /** -b: SO_BROADCAST (UDP). */
  readonly broadcast: boolean;
  /** -I: SO_RCVBUF in bytes. */
  readonly recvBufferSize: number | undefined;
  /** -O: SO_SNDBUF in bytes. */
  readonly sendBufferSize: number | undefined;
  /** -T: the IP ToS / IPv6 traffic class byte. */
  readonly tos?: number;
}

/** --ssl and its options: TLS over the stream (see net/tls.ts). */
export interface TlsSpec {
  /** --ssl-cert/--ssl-key: the certificate and key files (server; a client sends them if asked). */
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  /** --ssl-trustfile: CA certificates trusted besides the default ones (client). */
  readonly trustFile: string | undefined;
  /** --ssl-servername: the name sent (SNI) and checked in the certificate, instead of the host. */
  readonly servername: string | undefined;
  /** --ssl-insecure: no verification of the server's certificate at all. */
  readonly insecure: boolean;
  /** --ssl-pin: the sha256 of the server certificate's DER (64 lower-case hex digits); replaces CA checks. */
  readonly pin: string | undefined;
}

/** --retry: connect attempts, every intervalMs, until one succeeds or timeoutMs has passed. */
export interface RetrySpec {
  readonly timeoutMs: number;
  /** --retry as the user wrote it, for the failure line (--wait's words). */
  readonly timeoutText: string;
  /** --interval: from the start of one attempt to the start of the next. */
  readonly intervalMs: number;
}

/** --fan-out and -o: -l -k clients served at once without a program (see modes/fan.ts). */
export interface FanSpec {
  /** --fan-out: each line of stdin goes to every client; without it stdin is not read. */
  readonly fanOut: boolean;
  /** --fan-out-limit: a client this many bytes behind is disconnected. */
  readonly lagLimitBytes: number;
  /** --fan-out-limit as the user wrote it (or the default), for the -v line. */
  readonly lagLimitText: string;
  /** -o: where each client's bytes go (%n, %a, %%); undefined: to stdout, line by line. */
  readonly output: string | undefined;
}

/** What every mode shares: the rules of the data path and the diagnostics. */
export interface SessionConfig {
  readonly transport: Transport;
  readonly family: Family;
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly readStdin: boolean;
  readonly shutdown: ShutdownPolicy;
  /** -q N: after stdin EOF exit when the peer finishes or after this many ms; undefined: wait for the peer. */
  readonly quitAfterEofMs: number | undefined;
  /** -w N once connected: end the session after this much silence in both directions. */
  readonly idleTimeoutMs: number | undefined;
  /** -C: LF from stdin goes out as CRLF. */
  readonly crlf: boolean;
  /** -i N: wait this long after each line sent. */
  readonly lineDelayMs: number | undefined;
  /** -t: answer telnet option negotiation by refusing it. */
  readonly telnet: boolean;
  /** --send-only: what the peer sends is read and dropped. */
  readonly discardReceived: boolean;
  readonly socketOptions: SocketOptions;
  /** -e/-c: a program talks to the peer instead of stdin/stdout. */
  readonly exec: ExecSpec | undefined;
  /** --sha256/--progress: count (and hash) what stdin sends and stdout receives; absent otherwise. */
  readonly meter?: { readonly sha256: boolean; readonly progress: boolean };
  /** --verify: a length and sha256 trailer after stdin, checked on what arrives; absent otherwise. */
  readonly verify?: boolean;
  /** --ssl: the stream is TLS; absent otherwise. */
  readonly tls?: TlsSpec;
  /** --rate: at most this many bytes per second from stdin; absent otherwise. */
  readonly rateBytesPerSecond?: number;
}

/** Where connect and scan modes go, and from where. */
export interface Target {
  readonly family: Family;
  readonly numeric: boolean;
  /** A host name or address; for -U, the socket path. */
  readonly host: string;
  /** The ports to try in turn (empty for -U); for -z in the order to report them. */
  readonly ports: readonly number[];
  readonly sourceAddress: string | undefined;
  readonly sourcePort: number | undefined;
  readonly connectTimeoutMs: number | undefined;
  readonly proxy: ProxySpec | undefined;
}

export interface ConnectConfig extends SessionConfig, Target {
  readonly mode: 'connect';
  /** --retry: absent without it. */
  readonly retry?: RetrySpec;
}

export interface ListenConfig extends SessionConfig {
  readonly mode: 'listen';
  /** Address to bind (for -U, the socket path); undefined: 0.0.0.0 (or :: with -6), as nc.openbsd. */
  readonly bindAddress: string | undefined;
  readonly port: number;
  readonly keepListening: boolean;
  readonly access: AccessSpec | undefined;
  /** -m: at most this many clients at once (concurrent -k with -e/-c); the excess is refused. */
  readonly maxConnections: number;
  /** --port-file: the file that gets the bound port once listening; absent without it. */
  readonly portFile?: string;
  /** --fan-out, -o: absent without them. */
  readonly fan?: FanSpec;
}

/** -z: probe ports without sending data. */
export interface ScanConfig extends Target {
  readonly mode: 'scan';
  readonly transport: Transport;
  readonly verbose: boolean;
}

/** One --wait target: a host (name or address) and a TCP port. */
export interface WaitTarget {
  readonly host: string;
  readonly port: number;
}

/** --wait: retry until every target accepts a connection (and passes the probe), or the deadline. */
export interface WaitConfig {
  readonly mode: 'wait';
  readonly family: Family;
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly targets: readonly WaitTarget[];
  /** --timeout: the deadline for all targets, from start-up. */
  readonly timeoutMs: number;
  /** --timeout as the user wrote it, for the failure lines. */
  readonly timeoutText: string;
  /** --interval: from the start of one attempt at a target to the start of the next. */
  readonly intervalMs: number;
  /** -w: at most this long for one attempt (connect and probe); undefined: until the deadline. */
  readonly attemptTimeoutMs: number | undefined;
  /** --send: bytes to send once connected. */
  readonly send: Buffer | undefined;
  /** --expect: what the target sends must match this before it counts as ready. */
  readonly expect: RegExp | undefined;
}

/** -l --serve FILE: every client gets the whole file, concurrently. */
export interface ServeConfig extends Omit<ListenConfig, 'mode'> {
  readonly mode: 'serve';
  /** The file sent to each client (a regular file, opened once at start-up). */
  readonly file: string;
  /** --count: accept this many clients, then stop listening and exit once they are served. */
  readonly count: number | undefined;
}

/** --relay: where every accepted client is forwarded, on a connection of its own. */
export type RelayTarget =
  /** TCP (`host:port`, `tcp://`), or TLS to the target (`tls://`, checked as --ssl's client). */
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls?: TlsSpec }
  /** A unix stream socket (`unix:/path`, `unix:@abstract`). */
  | { readonly kind: 'unix'; readonly path: string }
  /** -u: each client address gets its own UDP socket to host:port (an association). */
  | { readonly kind: 'udp'; readonly host: string; readonly port: number };

/** -l --relay TARGET: a port forwarder; every other listen option keeps its meaning. */
export interface RelayConfig extends Omit<ListenConfig, 'mode'> {
  readonly mode: 'relay';
  readonly target: RelayTarget;
  /** The TARGET as given, for the -v lines. */
  readonly targetText: string;
  /** -u: an association with no datagram either way for this long ends (-w, else a default). */
  readonly associationIdleMs: number;
}

export type Config = ConnectConfig | ListenConfig | ScanConfig | WaitConfig | ServeConfig | RelayConfig;

/** What the command line asked for: a session, or just text to print. */
export type Command =
  | { readonly kind: 'run'; readonly config: Config }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'completion'; readonly shell: CompletionShell };

/** The shells `--completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];
