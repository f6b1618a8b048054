import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

// A minimal DER encoder (X.690), just what one X.509 v3 certificate needs (RFC 5280 section 4.1).

const length = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};

/** One tag-length-value. */
export const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);

/** A non-negative INTEGER from its big-endian bytes (a 0 is prepended when the top bit is set). */
export const integer = (bytes: Buffer): Buffer => {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const trimmed = bytes.subarray(start);
  const first = trimmed[0] ?? 0;
  return tlv(0x02, first & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
};

/** An OBJECT IDENTIFIER from its dotted form. */
export const oid = (dotted: string): Buffer => {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      base128.unshift((value & 0x7f) | 0x80);
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
};

/** A time as X.509 wants it: UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export const time = (date: Date): Buffer => {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
};

const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const octetString = (bytes: Buffer): Buffer => tlv(0x04, bytes);
const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.from([0]), bytes);
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);

/** The 16 bytes of an IPv6 address. */
const ipv6Bytes = (address: string): Buffer => {
  const [head = '', tail] = address.split('::');
  const groups = (text: string | undefined): number[] =>
    text === undefined || text === '' ? [] : text.split(':').map((group) => parseInt(group, 16));
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(group, i * 2));
  return bytes;
};

/** A GeneralName for a subjectAltName: an IP address [7] or a DNS name [2]. */
const generalName = (name: string): Buffer => {
  if (isIPv4(name)) return tlv(0x87, Buffer.from(name.split('.').map(Number)));
  if (isIPv6(name) && !name.includes('.')) return tlv(0x87, ipv6Bytes(name));
  return tlv(0x82, Buffer.from(name, 'ascii'));
};

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const SUBJECT_ALT_NAME = '2.5.29.17';
const BASIC_CONSTRAINTS = '2.5.29.19';

/** What the ephemeral certificate says. */
export interface CertificateRequest {
  readonly commonName: string;
  /** DNS names and IP addresses for the subjectAltName. */
  readonly altNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A certificate and its key, PEM, and the sha256 of the certificate's DER. */
export interface SelfSigned {
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Buffer;
  readonly fingerprint: string;
}

/** The sha256 of a DER certificate as openssl and Node print it: AB:CD:... */
export const fingerprintOf = (der: Buffer): string =>
  (createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g) ?? []).join(':');

const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

/**
 * A fresh P-256 key and a self-signed X.509 v3 certificate for it, made in-process (no openssl at
 * run time): what `tsnc --ssl -l` serves when no --ssl-cert is given.
 */
export const selfSigned = (request: CertificateRequest): SelfSigned => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = sequence(oid(ECDSA_WITH_SHA256));
  const name = sequence(set(sequence(oid(COMMON_NAME), utf8String(request.commonName))));
  const altNames = [...new Set(request.altNames)];
  const extensions = sequence(
    sequence(oid(BASIC_CONSTRAINTS), octetString(sequence())),
    sequence(oid(SUBJECT_ALT_NAME), octetString(sequence(...altNames.map(generalName)))),
  );
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm,
    name,
    sequence(time(request.notBefore), time(request.notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const der = sequence(tbs, algorithm, bitString(sign('sha256', tbs, privateKey)));
  return {
    certPem: pem('CERTIFICATE', der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    der,
    fingerprint: fingerprintOf(der),
  };
};
