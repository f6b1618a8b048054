// --ssl and its options -> Config.tls, and every conflict as one line (resolveConfig).
import { describe, expect, it } from 'vitest';
import { parseServices } from '../../src/net/services.js';
import { parsePin } from '../../src/options/tls.js';
import { configOf, usageFailure } from '../helpers/options.js';

const services = parseServices('https 443/tcp\n');
const HEX = 'ab'.repeat(32);
const COLONS = 'AB:'.repeat(31) + 'AB';

describe('--ssl -> Config.tls', () => {
  it.each([
    [['--ssl', 'h', '443'], { insecure: false, pin: undefined, servername: undefined }],
    [['--ssl-insecure', 'h', 'https'], { insecure: true }],
    [['--ssl-pin', `sha256:${COLONS}`, 'h', '1'], { pin: HEX }],
    [
      ['--ssl-trustfile', 'ca.pem', '--ssl-servername', 'db', 'h', '1'],
      { trustFile: 'ca.pem', servername: 'db' },
    ],
    [['-l', '-p', '1', '--ssl-cert', 'c.pem', '--ssl-key', 'k.pem'], { certFile: 'c.pem', keyFile: 'k.pem' }],
    [['-lU', '/tmp/s', '--ssl'], { certFile: undefined }],
  ])('%j (every --ssl-* option implies --ssl, as in ncat)', (argv, tls) => {
    expect(configOf(argv, services)).toMatchObject({ tls });
  });

  it('without --ssl the config has no tls at all', () => {
    expect(configOf(['h', '1'], services)).not.toHaveProperty('tls');
    expect(configOf(['-l', '1'], services)).not.toHaveProperty('tls');
  });
});

describe('--ssl-pin fingerprints', () => {
  it.each([
    [`sha256:${HEX}`, HEX],
    [HEX.toUpperCase(), HEX],
    [`SHA256:${COLONS}`, HEX],
    [COLONS.toLowerCase(), HEX],
  ])('%s', (text, pin) => {
    expect(parsePin(text)).toBe(pin);
  });

  it.each([['sha256:ab'], [`md5:${HEX}`], [`${HEX}00`], ['sha256:' + 'zz'.repeat(32)], ['']])(
    '%j is refused',
    (text) => {
      expect(parsePin(text)).toBeUndefined();
    },
  );
});

describe('--ssl conflicts and bad values', () => {
  it.each([
    [['--ssl', '-u', 'h', '1'], 'cannot use --ssl and -u'],
    [['--ssl', '-z', 'h', '1'], 'cannot use --ssl and -z'],
    [['--ssl-pin', HEX, '-z', 'h', '1'], 'cannot use --ssl-pin and -z'],
    [['-l', '1', '--ssl', '--serve', 'f'], 'cannot use --ssl and --serve'],
    [['--wait', '--ssl', 'h:1'], 'cannot use --wait and --ssl'],
    [['--wait', '--ssl-insecure', 'h:1'], 'cannot use --wait and --ssl'],
    [['-l', '1', '--ssl-cert', 'c.pem'], 'must use --ssl-key with --ssl-cert'],
    [['-l', '1', '--ssl-key', 'k.pem'], 'must use --ssl-cert with --ssl-key'],
    [['-l', '1', '--ssl-cert', '', '--ssl-key', 'k'], '--ssl-cert: missing file name'],
    [['-l', '1', '--ssl-pin', HEX], 'cannot use --ssl-pin and -l'],
    [['-l', '1', '--ssl-insecure'], 'cannot use --ssl-insecure and -l'],
    [['-l', '1', '--ssl-trustfile', 'ca'], 'cannot use --ssl-trustfile and -l'],
    [['-l', '1', '--ssl-servername', 'x'], 'cannot use --ssl-servername and -l'],
    [['--ssl-pin', HEX, '--ssl-insecure', 'h', '1'], 'cannot use --ssl-pin and --ssl-insecure'],
    [['--ssl-pin', HEX, '--ssl-trustfile', 'ca', 'h', '1'], 'cannot use --ssl-pin and --ssl-trustfile'],
    [['--ssl-insecure', '--ssl-trustfile', 'ca', 'h', '1'], 'cannot use --ssl-insecure and --ssl-trustfile'],
    [['--ssl-pin', 'sha256:abcd', 'h', '1'], '--ssl-pin: invalid sha256 fingerprint: sha256:abcd'],
  ])('%j -> %s', (argv, message) => {
    expect(usageFailure(argv, services)).toBe(message);
  });
});
