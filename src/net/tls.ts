import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import {
  checkServerIdentity,
  connect as tlsConnect,
  createSecureContext,
  rootCertificates,
  TLSSocket,
  type PeerCertificate,
  type SecureContext,
} from 'node:tls';
import type { TlsSpec } from '../config.js';
import { errnoText, TsncError } from '../errors.js';
import { messages } from '../messages.js';
import type { ReportEvent } from '../report.js';
import { selfSigned } from './self-signed.js';

/** A voice on stderr: warn always, info with -v only; with --json, events. */
interface Reporter {
  warn(text: string): void;
  info(text: string): void;
  event?(event: ReportEvent): void;
}

/** How long an ephemeral certificate is valid: from an hour ago (clock skew) for 30 days. */
const EPHEMERAL_BEFORE_MS = 60 * 60 * 1000;
const EPHEMERAL_DAYS = 30;

const readOption = (option: string, path: string): Buffer => {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TsncError(messages.tlsFileFailed(option, path, errnoText(error)));
  }
};

/**
 * The reason a handshake failed, in one line: strerror's for a socket error, OpenSSL's words for
 * a protocol error (`wrong version number`) or a certificate (`certificate has expired`).
 */
const reasonOf = (error: unknown): string => {
  const { code, reason, message } = (error ?? {}) as { code?: unknown; reason?: unknown; message?: unknown };
  if (typeof reason === 'string' && reason !== '') return reason;
  const text = errnoText(error);
  // A code outside the errno allow-list (CERT_HAS_EXPIRED): the message says it in words.
  const words = text === code && typeof message === 'string' && message !== '' ? message : text;
  return words.split('\n')[0] ?? words;
};

/** Resolves once the handshake is done (event), rejects with why not; -w bounds it. */
const handshake = (
  socket: TLSSocket,
  event: 'secure' | 'secureConnect',
  timeoutMs: number | undefined,
): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            // The reason says what timed out: a plain server that never answers the ClientHello
            // would otherwise read as a connect that timed out.
            () =>
              socket.destroy(
                Object.assign(new Error('timed out'), { reason: messages.tlsTimedOut(timeoutMs / 1000) }),
              ),
            timeoutMs,
          );
    const done = (error?: Error): void => {
      clearTimeout(timer);
      socket.removeListener(event, onSecure);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      socket.removeListener('end', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onSecure = (): void => done();
    const onError = (error: Error): void => done(error);
    const onClose = (): void => done(new Error(messages.tlsClosed()));
    socket.once(event, onSecure);
    socket.once('error', onError);
    // allowHalfOpen: a peer that gives up mid-handshake (a client rejecting the certificate just
    // closes) is an 'end' without a 'close'.
    socket.once('close', onClose);
    socket.once('end', onClose);
  });

const certificatesIn = (pem: Buffer): string[] =>
  pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];

/** --ssl-cert and --ssl-key, read and checked: a certificate, a key, and the one for the other. */
const loadCertificate = (spec: TlsSpec): { cert: Buffer; key: Buffer } | undefined => {
  if (spec.certFile === undefined || spec.keyFile === undefined) return undefined;
  const cert = readOption('--ssl-cert', spec.certFile);
  const key = readOption('--ssl-key', spec.keyFile);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certificatesIn(cert)[0] ?? cert);
  } catch {
    throw new TsncError(
      messages.tlsFileFailed('--ssl-cert', spec.certFile, 'no PEM certificate in the file'),
    );
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TsncError(messages.tlsFileFailed('--ssl-key', spec.keyFile, 'no PEM private key in the file'));
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new TsncError(messages.tlsFileFailed('--ssl-key', spec.keyFile, 'not the key of --ssl-cert'));
  }
  return { cert, key };
};

/** A peer in the TLS lines: `HOST port P`, or a -U path (no port). */
const whereOf = (host: string, port: number | undefined): string =>
  port === undefined ? host : `${host} port ${port}`;

/** The client side of --ssl: verification material is read once, at start-up. */
export interface TlsClient {
  /** The TLS session over conn, verified as asked; a failure is a TsncError (one line, exit 1). */
  secure(conn: Duplex, host: string, port: number | undefined): Promise<TLSSocket>;
}

/**
 * The client side: verify the server's certificate against Node's CA store (Mozilla's list, plus
 * NODE_EXTRA_CA_CERTS) and --ssl-trustfile, and its name against the host or --ssl-servername;
 * or, with --ssl-pin, only that its sha256 is the pinned one (like ssh's known hosts).
 */
export const tlsClient = (spec: TlsSpec, timeoutMs: number | undefined, report: Reporter): TlsClient => {
  const own = loadCertificate(spec);
  let ca: string[] | undefined;
  if (spec.trustFile !== undefined) {
    const trusted = certificatesIn(readOption('--ssl-trustfile', spec.trustFile));
    if (trusted.length === 0) {
      throw new TsncError(
        messages.tlsFileFailed('--ssl-trustfile', spec.trustFile, 'no PEM certificate in the file'),
      );
    }
    // Added to the default CAs, as ncat's --ssl-trustfile.
    ca = [...rootCertificates, ...trusted];
  }
  const byCa = spec.pin === undefined && !spec.insecure;
  return {
    async secure(conn, host, port) {
      const where = whereOf(host, port);
      // A -U path is no host name: the name checked is --ssl-servername, else localhost.
      const name = spec.servername ?? (port === undefined ? 'localhost' : host);
      const socket = tlsConnect({
        socket: conn,
        host: name,
        // SNI carries names only (RFC 6066); Node warns when given an address.
        servername: isIP(name) === 0 ? name : undefined,
        ca,
        ...own,
        rejectUnauthorized: byCa,
        checkServerIdentity: (checked: string, cert: PeerCertificate) =>
          checkServerIdentity(checked, cert) === undefined
            ? undefined
            : new Error(messages.tlsNameMismatch(checked, cert.subjectaltname ?? '')),
      });
      try {
        await handshake(socket, 'secureConnect', timeoutMs);
        if (spec.pin !== undefined) {
          const der = socket.getPeerCertificate().raw;
          if (createHash('sha256').update(der).digest('hex') !== spec.pin) {
            throw new Error(messages.tlsPinMismatch());
          }
        }
      } catch (error) {
        socket.destroy();
        throw new TsncError(messages.tlsHandshakeFailed(where, reasonOf(error)));
      }
      const check = spec.pin !== undefined ? 'pinned' : spec.insecure ? 'none' : 'verified';
      const checked =
        check === 'pinned'
          ? 'certificate pinned'
          : check === 'none'
            ? 'certificate not verified'
            : `certificate verified for ${name}`;
      const [protocol, cipher] = [socket.getProtocol() ?? '', socket.getCipher().standardName];
      report.info(messages.tlsConnected(where, protocol, cipher, checked));
      report.event?.({ event: 'tls', peer: where, protocol, cipher, check });
      return socket;
    },
  };
};

/** The server side of --ssl: one certificate for the life of the listener. */
export interface TlsServer {
  /** The TLS session over an accepted socket, or undefined when the handshake failed (warned). */
  secure(socket: Socket, host: string, port: number | undefined): Promise<TLSSocket | undefined>;
  /** Without --ssl-cert: the ephemeral certificate's fingerprint (`sha256:AB:CD:...`). */
  readonly ephemeralFingerprint?: string;
}

/**
 * The server side: --ssl-cert/--ssl-key, else an ephemeral self-signed certificate whose sha256
 * fingerprint is printed (always: the client needs it for --ssl-pin).
 */
export const tlsServer = (
  spec: TlsSpec,
  bindAddress: string | undefined,
  timeoutMs: number | undefined,
  report: Reporter,
): TlsServer => {
  let pair = loadCertificate(spec);
  let ephemeralFingerprint: string | undefined;
  if (pair === undefined) {
    const host = hostname();
    const now = Date.now();
    const made = selfSigned({
      commonName: (host || 'tsnc').slice(0, 64),
      altNames: [
        'localhost',
        '127.0.0.1',
        '::1',
        ...(host === '' ? [] : [host]),
        ...(bindAddress === undefined ? [] : [bindAddress]),
      ],
      notBefore: new Date(now - EPHEMERAL_BEFORE_MS),
      notAfter: new Date(now + EPHEMERAL_DAYS * 24 * 60 * 60 * 1000),
    });
    if (report.event === undefined) report.warn(messages.tlsCertificate(made.fingerprint));
    else report.event({ event: 'certificate', fingerprint: `sha256:${made.fingerprint}` });
    pair = { cert: Buffer.from(made.certPem), key: Buffer.from(made.keyPem) };
    ephemeralFingerprint = `sha256:${made.fingerprint}`;
  }
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext(pair);
  } catch (error) {
    throw new TsncError(messages.tlsFileFailed('--ssl-cert', spec.certFile ?? '', reasonOf(error)));
  }
  return {
    ephemeralFingerprint,
    async secure(socket, host, port) {
      const where = whereOf(host, port);
      const tls = new TLSSocket(socket, { isServer: true, secureContext });
      try {
        await handshake(tls, 'secure', timeoutMs);
      } catch (error) {
        tls.destroy();
        report.warn(messages.tlsHandshakeFailed(where, reasonOf(error)));
        return undefined;
      }
      const [protocol, cipher] = [tls.getProtocol() ?? '', tls.getCipher().standardName];
      report.info(messages.tlsConnected(where, protocol, cipher, undefined));
      report.event?.({ event: 'tls', peer: where, protocol, cipher, check: null });
      return tls;
    },
  };
};
