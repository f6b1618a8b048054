// Every diagnostic tsnc prints. They are part of the interface (scripts grep them), so the
// wording follows nc.openbsd 1.219 as measured in shared/research/nc-behavior.md section 5.

const hostWithAddress = (host: string, address: string): string =>
  host === address ? host : `${host} (${address})`;

export const messages = {
  connectSucceeded: (host: string, address: string, port: number, proto: string, service: string) =>
    `Connection to ${hostWithAddress(host, address)} ${port} port [${proto}/${service}] succeeded!`,
  /** A connect that failed or timed out, as nc.openbsd's warn() says it. */
  connectFailure: (
    host: string,
    address: string,
    port: number,
    proto: string,
    timedOut: boolean,
    reason: string,
  ) =>
    timedOut
      ? `connect to ${hostWithAddress(host, address)} port ${port} (${proto}) timed out: Operation now in progress`
      : `connect to ${hostWithAddress(host, address)} port ${port} (${proto}) failed: ${reason}`,
  /** -v: a session ended by a reset or a failed write (nc says nothing; the status stays 0). */
  sessionFailed: (address: string, port: number, syscall: string, reason: string) =>
    syscall === 'write'
      ? `write to ${address} port ${port} (tcp) failed: ${reason}`
      : `read from ${address} port ${port} (tcp) failed: ${reason}`,
  /** -v: a session ended by -w's idle timeout. */
  sessionIdle: (address: string, port: number, seconds: number) =>
    `connection to ${address} port ${port} (tcp) timed out: no data for ${seconds} s`,
  resolveFailed: (host: string, port: number | string, reason: string) =>
    `getaddrinfo for host "${host}" port ${port}: ${reason}`,
  resolveListenFailed: (reason: string) => `getaddrinfo: ${reason}`,
  bindFailed: (reason: string) => `bind failed: ${reason}`,
  listenFailed: (reason: string) => reason,
  listening: (address: string, port: number) => `Listening on ${address} ${port}`,
  connectionReceived: (peer: string, port: number) => `Connection received on ${peer} ${port}`,
  bound: (address: string, port: number) => `Bound on ${address} ${port}`,
  // nc.openbsd's report_sock() with a path: the path stands for both ends of a unix socket.
  boundPath: (path: string) => `Bound on ${path}`,
  listeningPath: (path: string) => `Listening on ${path}`,
  connectionReceivedPath: (path: string) => `Connection received on ${path}`,
  /** -U -u -l: a datagram from a socket without a name, which no answer can reach. */
  unnamedSender: (path: string) => `${path}: datagram from an unbound socket dropped: no address to answer`,
  pathFailed: (path: string, reason: string) => `${path}: ${reason}`,
  refusedNotAllowed: (peer: string, port: number, rule: string) =>
    `Refused connection from ${peer} ${port}: ${rule}`,
  refusedTooMany: (peer: string, port: number, max: number) =>
    `Refused connection from ${peer} ${port}: already ${max} connections (-m)`,
  execFailed: (file: string, reason: string) => `exec ${file} failed: ${reason}`,
  socks5Failed: (reason: string) => `connection failed, SOCKSv5 error: ${reason}`,
  socks4Failed: (reason: string) => `connection failed, SOCKSv4 error: ${reason}`,
  socksNoMethod: () => 'authentication method negotiation failed',
  socksAddressType: () => 'connection failed, unsupported address type',
  socksHostTooLong: () => 'host name too long for SOCKS5',
  proxyInvalidHostname: () => 'Invalid hostname',
  proxyError: (statusLine: string) => `Proxy error: "${statusLine}"`,
  proxyAuthFailed: () => 'Proxy authentication failed',
  proxyTooManyAuthFailures: () => 'Too many authentication failures',
  proxyPassphraseUnreadable: () => 'Unable to read proxy passphrase',
  proxyPasswordPrompt: (user: string, host: string) => `Proxy password for ${user}@${host}: `,
  proxyReadFailed: (got: number, wanted: number | string, reason: string) =>
    `read failed (${got}/${wanted}): ${reason}`,
  proxyReadTooLong: () => 'proxy read too long',
  proxyTooManyHeaders: () => 'Too many proxy headers received',
  socketOptionFailed: (what: string, reason: string) => `${what}: ${reason}`,
  /** -U -u, -T, TCP -I/-O without dist/tsnc-native.node (no compiler at build time, bundle copied alone). */
  nativeUnavailable: (what: string, path: string, reason: string) =>
    `${what}: needs the native addon ${path}: ${reason}`,
  stdoutFailed: (reason: string) => `write error on stdout: ${reason}`,
  stdinFailed: (reason: string) => `read error on stdin: ${reason}`,
  waitTimedOut: (host: string, port: number, after: string, reason: string) =>
    `wait for ${host} port ${port} (tcp) timed out after ${after}: ${reason}`,
  waitNoAttempt: () => 'no attempt finished',
  verifyShort: (received: number, expected: number) =>
    `verify failed: received ${received} of ${expected} bytes`,
  verifyCorrupt: (received: number) => `verify failed: sha256 mismatch in the ${received} bytes received`,
  verifyNoTrailer: (received: number) =>
    `verify failed: no trailer after ${received} bytes (cut short, or the peer did not use --verify)`,
  probeFailed: (host: string, port: number, reason: string) =>
    `probe of ${host} port ${port} (tcp) failed: ${reason}`,
  probeClosed: (received: number) => `connection closed after ${received} bytes without a match for --expect`,
  probeNoMatch: (received: number) => `no match for --expect in ${received} bytes received`,

  portTooSmall: (text: string) => `port number too small: ${text}`,
  portTooLarge: (text: string) => `port number too large: ${text}`,
  portInvalid: (text: string) => `port number invalid: ${text}`,
  portRangeInvalid: (text: string) => `port range not valid: ${text}`,
  missingPort: () => 'missing port number',
  timeoutInvalid: (problem: string, text: string) => `timeout ${problem}: ${text}`,
  quitTimerInvalid: (problem: string, text: string) => `quit timer ${problem}: ${text}`,
  keepNeedsListen: () => 'must use -l with -k',
  needsListen: (option: string) => `must use -l with ${option}`,
  cannotCombine: (a: string, b: string) => `cannot use ${a} and ${b}`,
  portWithUnix: () => 'cannot use port with -U',
  missingSocketPath: () => 'missing socket pathname',
  proxyProtocolUnsupported: () => 'unsupported proxy protocol',
  proxyUnsupported: (what: string) => `no proxy support for ${what}`,
  proxyMissingBracket: () => 'missing closing bracket in proxy',
  proxyPortDelimiter: () => 'garbage proxy port delimiter',
  intervalInvalid: (problem: string, text: string) => `interval ${problem}: ${text}`,
  receiveWindowInvalid: (problem: string, text: string) => `TCP receive window ${problem}: ${text}`,
  sendWindowInvalid: (problem: string, text: string) => `TCP send window ${problem}: ${text}`,
  maxConnsInvalid: (problem: string, text: string) => `max connections ${problem}: ${text}`,
  tosIllegal: (text: string) => `illegal tos value ${text}`,
  missingProgram: (option: string) => `${option}: missing program name`,
  unbalancedQuote: (text: string) => `-e: unbalanced quote: ${text}`,
  addressListEmpty: (option: string) => `${option}: no address given`,
  addressSpecInvalid: (option: string, spec: string) => `${option}: invalid address or network: ${spec}`,
  tooManyArguments: () => 'too many arguments',
  needsWait: (option: string) => `must use --wait with ${option}`,
  needsServe: (option: string) => `must use --serve with ${option}`,
  completionShellUnknown: (shell: string) => `--completion: unknown shell: ${shell} (bash, zsh or fish)`,
  needsOption: (needed: string, option: string) => `must use ${needed} with ${option}`,
  pinInvalid: (text: string) => `--ssl-pin: invalid sha256 fingerprint: ${text}`,
  tlsFileFailed: (option: string, path: string, reason: string) => `${option} ${path}: ${reason}`,
  /** The ephemeral certificate of `-l --ssl`, always shown: the client needs it for --ssl-pin. */
  tlsCertificate: (fingerprint: string) => `TLS certificate sha256:${fingerprint}`,
  /** `where` is `HOST port P`, or a -U path. */
  tlsHandshakeFailed: (where: string, reason: string) => `TLS handshake with ${where} failed: ${reason}`,
  tlsPinMismatch: () => 'certificate fingerprint does not match --ssl-pin',
  tlsNameMismatch: (name: string, altNames: string) =>
    `certificate is not valid for ${name} (${altNames === '' ? 'no subjectAltName' : altNames})`,
  tlsClosed: () => 'connection closed during the handshake',
  /** -w passed during the handshake (a server that is not TLS never answers the ClientHello). */
  tlsTimedOut: (seconds: number) => `timed out after ${seconds} s (-w)`,
  /** -v: what was negotiated, and how the server certificate was checked (client). */
  tlsConnected: (where: string, protocol: string, cipher: string, checked: string | undefined) =>
    `TLS connection with ${where}: ${protocol} ${cipher}${checked === undefined ? '' : `, ${checked}`}`,
  countInvalid: (problem: string, text: string) => `count ${problem}: ${text}`,
  notRegularFile: (path: string) => `${path}: not a regular file`,
  durationInvalid: (option: string, text: string) => `${option} duration invalid: ${text}`,
  durationTooLarge: (option: string, text: string) => `${option} duration too large: ${text}`,
  expectInvalid: (reason: string) => `--expect: invalid regular expression: ${reason}`,
  sendInvalid: (text: string) => `--send: invalid escape in: ${text}`,
  targetMissingBracket: (text: string) => `missing closing bracket in target: ${text}`,
  targetMissingHost: (text: string) => `missing host name in target: ${text}`,
  listenOneAddress: () => 'cannot use -s and a listen address together',
  /** --relay: a TARGET that does not parse (checked before any socket exists). */
  relayTargetInvalid: (text: string, reason: string) => `relay target "${text}": ${reason}`,
  /** --relay with -u: only host:port. */
  relayUdpTarget: (text: string) => `relay target "${text}": -u relays to host:port only`,
  /** --relay: the option goes with a tls:// target only (it checks the target's certificate). */
  relayNeedsTls: (option: string) => `cannot use ${option} with --relay but a tls:// target`,
  /** `where` is `HOST port P (tcp)` or a unix path. A refused or unreachable target, with -v. */
  relayFailed: (where: string, reason: string) => `relay to ${where} failed: ${reason}`,
  /** -v: the client's connection to the target is up. */
  relayConnected: (where: string) => `Relay to ${where} connected`,
  /** -v: a relayed connection ended; bytes from the client to the target, and back. */
  relayClosed: (client: string, how: string, toTarget: number, fromTarget: number) =>
    `Relay of ${client} closed (${how}): ${toTarget} bytes to the target, ${fromTarget} bytes back`,
  rateInvalid: (problem: string, text: string) => `rate ${problem}: ${text}`,
  fanOutLimitInvalid: (problem: string, text: string) => `fan-out limit ${problem}: ${text}`,
  templateInvalid: (code: string, template: string) => `-o: invalid ${code} in template: ${template}`,
  /** --retry with -U: the deadline passed (--wait's words, with the path for host and port). */
  retryTimedOutPath: (path: string, after: string, reason: string) =>
    `wait for ${path} timed out after ${after}: ${reason}`,
  /** --fan-out -v: a client too far behind the others was disconnected. */
  fanOutDropped: (peer: string, limit: string) =>
    `Disconnected ${peer}: more than ${limit} behind (--fan-out-limit)`,
  /** -o: a client's file could not be written. */
  outputFailed: (path: string, reason: string) => `-o ${path}: ${reason}`,
  /** After the ephemeral certificate's line: the client command that pins it, ready to paste. */
  pinCommand: (command: string) => `connect with: ${command}`,
  invalidOption: (letter: string) => `invalid option -- '${letter}'`,
  optionNeedsArgument: (letter: string) => `option requires an argument -- '${letter}'`,
  unrecognizedOption: (name: string) => `unrecognized option '--${name}'`,
  longOptionNeedsArgument: (name: string) => `option '--${name}' requires an argument`,
  longOptionTakesNoArgument: (name: string) => `option '--${name}' doesn't allow an argument`,
} as const;
