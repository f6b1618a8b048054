// --json: one JSON object per line on stderr, for scripts. Loaded only with --json;
// the modes see only the ReportEvent type and an optional ctx.event (see modes/session.ts).
// The schema of every line is docs/json-schema.json, described in docs/json.md.
import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Config } from './config.js';
import { EXIT, signalExitCode } from './errors.js';
import type { Meter } from './io/meter.js';
import type { SessionEnd } from './modes/session.js';

/** One end of a connection: an address and port, or for -U the socket path. */
export type Endpoint =
  | { readonly proto: 'tcp' | 'udp'; readonly address: string; readonly port: number }
  | { readonly proto: 'unix'; readonly path: string };

/** What a mode reports, at the points where -v speaks. */
export type ReportEvent =
  | ({ readonly event: 'listening' | 'bound' | 'accepted' } & Endpoint)
  | ({ readonly event: 'connected'; readonly host: string; readonly service: string | null } & Endpoint)
  | { readonly event: 'refused'; readonly address: string; readonly port: number; readonly message: string }
  | {
      readonly event: 'scan';
      readonly proto: 'tcp' | 'udp';
      readonly host: string;
      readonly port: number;
      readonly open: boolean;
      readonly address?: string;
      readonly service?: string | null;
      readonly error?: string;
    }
  | {
      readonly event: 'wait';
      readonly host: string;
      readonly port: number;
      readonly ready: boolean;
      readonly reason?: string;
    }
  | ({ readonly event: 'served'; readonly bytesSent: number } & Endpoint)
  | { readonly event: 'closed'; readonly end: SessionEnd; readonly address?: string; readonly port?: number }
  | { readonly event: 'certificate'; readonly fingerprint: string }
  | ({
      readonly event: 'relayed';
      readonly target: string;
      readonly targetAddress: string | null;
    } & Endpoint)
  | ({ readonly event: 'relay-failed'; readonly target: string; readonly message: string } & Endpoint)
  | ({
      readonly event: 'relay-closed';
      readonly target: string;
      readonly end: 'eof' | 'reset' | 'idle';
      readonly resetBy: 'client' | 'target' | null;
      readonly bytesToTarget: number;
      readonly bytesFromTarget: number;
      readonly durationMs: number | null;
    } & Endpoint)
  | { readonly event: 'port-file'; readonly path: string; readonly port: number }
  | {
      readonly event: 'retry';
      readonly host: string;
      readonly port?: number;
      readonly path?: string;
      readonly attempt: number;
      readonly reason: string;
    }
  | ({ readonly event: 'dropped'; readonly behind: number; readonly limit: number } & Endpoint)
  | ({ readonly event: 'saved'; readonly file: string; readonly bytesReceived: number } & Endpoint)
  | {
      readonly event: 'pin-command';
      readonly command: string;
      readonly host?: string;
      readonly port?: number;
      readonly path?: string;
    }
  | {
      readonly event: 'tls';
      readonly peer: string;
      readonly protocol: string;
      readonly cipher: string;
      readonly check: 'verified' | 'pinned' | 'none' | null;
    };

/** How a session (closed) or the whole run (summary) ended; the table is in docs/json.md. */
export type JsonEnd =
  | 'eof'
  | 'peer-eof'
  | 'quit'
  | 'idle'
  | 'reset'
  | 'stdout-failed'
  | 'exec-failed'
  | 'scan-done'
  | 'ready'
  | 'timeout'
  | 'done'
  | 'error'
  | 'signal'
  | 'usage';

/** A death cause cli.ts reports through Io.lastWords: a signal, or a bug. */
export type Death = { readonly signal: NodeJS.Signals } | { readonly internalError: string };

const line = (event: string, fields: object): string =>
  `${JSON.stringify({ event, time: new Date().toISOString(), ...fields })}\n`;

/** --json with a command line that does not parse: the error and a summary, nothing else. */
export const reportUsageError = (write: (text: string) => void, message: string, exitCode: number): void => {
  write(line('error', { message }));
  write(line('summary', { mode: null, durationMs: 0, end: 'usage', exitCode }));
};

/** The --json writer of one run: events as they happen, then exactly one summary. */
export class JsonReport {
  private readonly started = performance.now();
  private lastSessionEnd: JsonEnd | undefined;
  private readonly seen = new Set<string>();
  /** The meter's counts when the current session began (-k: a closed event has its own bytes). */
  private sessionBase = { sent: 0, received: 0 };
  private finished = false;

  constructor(
    private readonly options: {
      readonly config: Config;
      readonly write: (text: string) => void;
      /** Counts stdin and stdout (connect and listen without -e/-c); absent: no byte counts. */
      readonly meter: Meter | undefined;
      /** stdin has seen EOF (or is not read): tells "eof" from "peer-eof". */
      readonly stdinEnded: () => boolean;
    },
  ) {}

  private get counted(): Meter | undefined {
    const { config, meter } = this.options;
    return (config.mode === 'connect' || config.mode === 'listen') && config.exec === undefined
      ? meter
      : undefined;
  }

  private bytes(base = { sent: 0, received: 0 }): object {
    const meter = this.counted;
    if (meter === undefined) return {};
    return { bytesSent: meter.sentBytes - base.sent, bytesReceived: meter.receivedBytes - base.received };
  }

  private sessionEnd(end: SessionEnd): JsonEnd {
    if (end !== 'complete') return end;
    const { config } = this.options;
    const exec = (config.mode === 'connect' || config.mode === 'listen') && config.exec !== undefined;
    return exec || this.options.stdinEnded() ? 'eof' : 'peer-eof';
  }

  /** One event from a mode. */
  event(report: ReportEvent): void {
    if (this.finished) return;
    this.seen.add(report.event);
    if (report.event === 'connected' || report.event === 'accepted') {
      const meter = this.counted;
      if (meter !== undefined) this.sessionBase = { sent: meter.sentBytes, received: meter.receivedBytes };
    }
    if (report.event === 'closed') {
      const { event, end, ...rest } = report;
      this.lastSessionEnd = this.sessionEnd(end);
      this.options.write(line(event, { ...rest, end: this.lastSessionEnd, ...this.bytes(this.sessionBase) }));
      return;
    }
    const { event, ...rest } = report;
    this.options.write(line(event, rest));
  }

  /** A diagnostic nc would print as `nc: text`. */
  error(message: string): void {
    if (this.finished) return;
    this.options.write(line('error', { message }));
  }

  private runEnd(exitCode: number): JsonEnd {
    if (this.lastSessionEnd !== undefined) return this.lastSessionEnd;
    const ok = exitCode === EXIT.ok;
    switch (this.options.config.mode) {
      case 'scan':
        return ok || this.seen.has('scan') ? 'scan-done' : 'error';
      case 'wait':
        return ok ? 'ready' : this.seen.has('wait') ? 'timeout' : 'error';
      case 'serve':
      case 'relay':
        return ok ? 'done' : 'error';
      default:
        return 'error';
    }
  }

  /** The last line: what was done, how it ended, the exit status. Written once. */
  summary(exitCode: number, end: JsonEnd = this.runEnd(exitCode), extra: object = {}): void {
    if (this.finished) return;
    this.finished = true;
    const digests = this.counted?.digests();
    this.options.write(
      line('summary', {
        mode: this.options.config.mode,
        ...this.bytes(),
        ...(digests === undefined ? {} : { sha256Sent: digests.sent, sha256Received: digests.received }),
        durationMs: Math.round(performance.now() - this.started),
        end,
        ...extra,
        exitCode,
      }),
    );
  }

  /** Just before dying (cli.ts): the summary for a signal, an error line and summary for a bug. */
  die(death: Death): void {
    if ('signal' in death) {
      const status = signalExitCode(constants.signals[death.signal]);
      this.summary(status, 'signal', { signal: death.signal });
      return;
    }
    // Even after the summary (a bug in the last steps) the line goes out, as JSON.
    this.options.write(line('error', { message: `internal error: ${death.internalError}` }));
    this.summary(EXIT.failure, 'error');
  }
}
