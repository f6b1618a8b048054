import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Proc } from './cli.js';

/** A test CA and a server certificate it signed (CN and SAN localhost, 127.0.0.1), made by openssl. */
export interface Pki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

/** Make a CA and a server certificate in dir (P-256 keys, valid for 2 days). */
export const makePki = (dir: string): Pki => {
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-subj',
    '/CN=tsnc test CA',
    '-days',
    '2',
  );
  openssl('req', ...ec, '-keyout', path('server.key'), '-out', path('server.csr'), '-subj', '/CN=localhost');
  execFileSync('sh', [
    '-c',
    `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > "$1"`,
    'sh',
    path('ext.cnf'),
  ]);
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.pem'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-out',
    path('server.pem'),
    '-days',
    '2',
    '-extfile',
    path('ext.cnf'),
  );
  return { caCert: path('ca.pem'), serverCert: path('server.pem'), serverKey: path('server.key') };
};

/** The `sha256:AB:...` a `tsnc -l --ssl` prints for its ephemeral certificate. */
export const printedPin = async (proc: Proc): Promise<string> =>
  (await proc.stderrLine(/TLS certificate (sha256:[0-9A-F:]{95})\n/))[1] ?? '';
