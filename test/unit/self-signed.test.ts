// The ephemeral certificate of `-l --ssl`: the DER encoder by known encodings, and the
// whole certificate as openssl reads it (x509 -text, its sha256 fingerprint, verify).
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { integer, oid, selfSigned, sequence, time, tlv } from '../../src/net/self-signed.js';
import { scratch } from '../helpers/data.js';
import { which } from '../helpers/peers.js';

const hex = (buffer: Buffer): string => buffer.toString('hex');

describe('DER encoder', () => {
  it('OBJECT IDENTIFIER: ecdsa-with-SHA256 and commonName as X.690 spells them', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('2.5.4.3'))).toBe('0603550403');
  });

  it('INTEGER: leading zeros trimmed, a 0 before a set top bit', () => {
    expect(hex(integer(Buffer.from([2])))).toBe('020102');
    expect(hex(integer(Buffer.from([0, 0, 0x7f])))).toBe('02017f');
    expect(hex(integer(Buffer.from([0x80, 1])))).toBe('0203008001');
  });

  it('lengths: short form to 127, long form above', () => {
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
    expect(hex(sequence())).toBe('3000');
  });

  it('time: UTCTime to 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5)', () => {
    expect(time(new Date('2049-12-31T23:59:58Z')).toString('latin1', 2)).toBe('491231235958Z');
    expect(time(new Date('2049-12-31T23:59:58Z'))[0]).toBe(0x17);
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1', 2)).toBe('20500101000000Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(0x18);
  });
});

describe.skipIf(which('openssl') === undefined)('the certificate, read by openssl', () => {
  const files = scratch();
  afterAll(() => files.remove());
  const notBefore = new Date(Date.now() - 3600_000);
  const made = selfSigned({
    commonName: 'tsnc-host',
    altNames: ['localhost', '127.0.0.1', '::1', '2001:db8::42', 'listen.example', 'localhost'],
    notBefore,
    notAfter: new Date(notBefore.getTime() + 30 * 86_400_000),
  });
  const cert = files.file('cert.pem', made.certPem);
  const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });

  it('x509 -text: v3, P-256, ecdsa-with-SHA256, CN, every subjectAltName once', () => {
    const text = openssl('x509', '-in', cert, '-text', '-noout');
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('Issuer: CN = tsnc-host');
    expect(text).toContain('Subject: CN = tsnc-host');
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('CA:FALSE');
    expect(text).toContain(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:0:0:0:42, DNS:listen.example\n',
    );
  });

  it('the fingerprint printed is openssl’s sha256 fingerprint', () => {
    expect(openssl('x509', '-in', cert, '-noout', '-fingerprint', '-sha256').trim()).toBe(
      `sha256 Fingerprint=${made.fingerprint}`,
    );
  });

  it('the signature verifies (openssl verify, self-signed as its own trust anchor)', () => {
    expect(openssl('verify', '-CAfile', cert, cert).trim()).toBe(`${cert}: OK`);
  });

  it('valid from an hour ago for 30 days, and the key is the certificate’s', () => {
    const x509 = new X509Certificate(made.certPem);
    expect(new Date(x509.validFrom).getTime()).toBe(Math.floor(notBefore.getTime() / 1000) * 1000);
    expect(openssl('x509', '-in', cert, '-noout', '-checkend', String(29 * 86_400)).trim()).toBe(
      'Certificate will not expire',
    );
    expect(() => openssl('x509', '-in', cert, '-noout', '-checkend', String(31 * 86_400))).toThrow();
    expect(x509.checkPrivateKey(createPrivateKey(made.keyPem))).toBe(true);
  });
});
