// Which options cannot go together: one table per mode or feature, each row an option's name
// (as the error names it) and whether the command line gives it. resolve.ts, tls.ts and wait.ts
// walk them before any socket exists.
import type { RawArgs } from './argv.js';

/** --sha256/--progress count one session's stdin and stdout: not a scan, many clients, or a program. */
export const METER_CONFLICTS = [
  ['-z', (raw: RawArgs) => raw.scan],
  ['-k', (raw: RawArgs) => raw.keep],
  ['-e', (raw: RawArgs) => raw.exec !== undefined],
  ['-c', (raw: RawArgs) => raw.shellCommand !== undefined],
  ['--serve', (raw: RawArgs) => raw.serveFile !== undefined],
] as const;

/** --ssl, or any --ssl-* option (each implies --ssl). */
const tlsGiven = (raw: RawArgs): boolean =>
  raw.ssl ||
  raw.sslInsecure ||
  [raw.sslCert, raw.sslKey, raw.sslTrustfile, raw.sslServername, raw.sslPin].some((v) => v !== undefined);

/** What TLS cannot go with: a datagram transport, a scan without data, the many-client file server. */
export const TLS_CONFLICTS = [
  ['-u', (raw: RawArgs) => raw.udp],
  ['-z', (raw: RawArgs) => raw.scan],
  ['--serve', (raw: RawArgs) => raw.serveFile !== undefined],
] as const;

/** What --relay cannot go with: other modes, and options about stdin and stdout, which it does not use. */
export const NOT_WITH_RELAY = [
  ['-z', (raw: RawArgs) => raw.scan],
  ['--serve', (raw: RawArgs) => raw.serveFile !== undefined],
  ['-e', (raw: RawArgs) => raw.exec !== undefined],
  ['-c', (raw: RawArgs) => raw.shellCommand !== undefined],
  ['--verify', (raw: RawArgs) => raw.verify],
  ['--sha256', (raw: RawArgs) => raw.sha256],
  ['--progress', (raw: RawArgs) => raw.progress],
  ['-d', (raw: RawArgs) => raw.noStdin],
  ['--recv-only', (raw: RawArgs) => raw.recvOnly],
  ['--send-only', (raw: RawArgs) => raw.sendOnly],
  ['-q', (raw: RawArgs) => raw.quit !== undefined],
  ['-N', (raw: RawArgs) => raw.shutdownAlways],
  ['--no-shutdown', (raw: RawArgs) => raw.noShutdown],
  ['-C', (raw: RawArgs) => raw.crlf],
  ['-i', (raw: RawArgs) => raw.interval !== undefined],
  ['-t', (raw: RawArgs) => raw.telnet],
  ['-x', (raw: RawArgs) => raw.proxy !== undefined],
  ['--retry', (raw: RawArgs) => raw.retry !== undefined],
  ['--fan-out', (raw: RawArgs) => raw.fanOut],
  ['-o', (raw: RawArgs) => raw.output !== undefined],
  ['--rate', (raw: RawArgs) => raw.rate !== undefined],
] as const;

/** Options that make no sense for --wait: each is an error rather than silently ignored. */
export const NOT_WITH_WAIT = [
  ['-l', (raw: RawArgs) => raw.listen],
  ['-z', (raw: RawArgs) => raw.scan],
  ['-u', (raw: RawArgs) => raw.udp],
  ['-U', (raw: RawArgs) => raw.unix],
  ['-k', (raw: RawArgs) => raw.keep],
  ['-e', (raw: RawArgs) => raw.exec !== undefined],
  ['-c', (raw: RawArgs) => raw.shellCommand !== undefined],
  ['-x', (raw: RawArgs) => raw.proxy !== undefined],
  ['-s', (raw: RawArgs) => raw.source !== undefined],
  ['-p', (raw: RawArgs) => raw.port !== undefined],
  ['--sha256', (raw: RawArgs) => raw.sha256],
  ['--progress', (raw: RawArgs) => raw.progress],
  ['--verify', (raw: RawArgs) => raw.verify],
  ['--serve', (raw: RawArgs) => raw.serveFile !== undefined],
  ['--ssl', (raw: RawArgs) => tlsGiven(raw)],
  ['--relay', (raw: RawArgs) => raw.relay !== undefined],
  ['--retry', (raw: RawArgs) => raw.retry !== undefined],
  ['--port-file', (raw: RawArgs) => raw.portFile !== undefined],
  ['--fan-out', (raw: RawArgs) => raw.fanOut],
  ['-o', (raw: RawArgs) => raw.output !== undefined],
  ['--rate', (raw: RawArgs) => raw.rate !== undefined],
] as const;
