// Every diagnostic tsnc prints. They are part of the interface (scripts grep them), so the
// wording follows nc.openbsd 1.219 as measured in shared/research/nc-behavior.md section 5.

const hostWithAddress = (host: string, address: string): string =>
  host === address ? host : `${host} (${address})`;

export const messages = {
  connectSucceeded: (host: string, address: string, port: number, proto: string, service: string) =>
    `Connection to ${hostWithAddress(host, address)} ${port} port [${proto}/${service}] succeeded!`,
  connectFailed: (host: string, address: string, port: number, proto: string, reason: string) =>
    `connect to ${hostWithAddress(host, address)} port ${port} (${proto}) failed: ${reason}`,
  connectTimedOut: (host: string, address: string, port: number, proto: string) =>
    `connect to ${hostWithAddress(host, address)} port ${port} (${proto}) timed out: Operation now in progress`,
  resolveFailed: (host: string, port: number | string, reason: string) =>
    `getaddrinfo for host "${host}" port ${port}: ${reason}`,
  resolveListenFailed: (reason: string) => `getaddrinfo: ${reason}`,
  bindFailed: (reason: string) => `bind failed: ${reason}`,
  listenFailed: (reason: string) => reason,
  listening: (address: string, port: number) => `Listening on ${address} ${port}`,
  connectionReceived: (peer: string, port: number) => `Connection received on ${peer} ${port}`,
  stdoutFailed: (reason: string) => `write error on stdout: ${reason}`,
  stdinFailed: (reason: string) => `read error on stdin: ${reason}`,

  portTooSmall: (text: string) => `port number too small: ${text}`,
  portTooLarge: (text: string) => `port number too large: ${text}`,
  portInvalid: (text: string) => `port number invalid: ${text}`,
  portRangeInvalid: (text: string) => `port range not valid: ${text}`,
  missingPort: () => 'missing port number',
  timeoutInvalid: (problem: string, text: string) => `timeout ${problem}: ${text}`,
  quitTimerInvalid: (problem: string, text: string) => `quit timer ${problem}: ${text}`,
  keepNeedsListen: () => 'must use -l with -k',
  tooManyArguments: () => 'too many arguments',
  listenOneAddress: () => 'cannot use -s and a listen address together',
  invalidOption: (letter: string) => `invalid option -- '${letter}'`,
  optionNeedsArgument: (letter: string) => `option requires an argument -- '${letter}'`,
  unrecognizedOption: (name: string) => `unrecognized option '--${name}'`,
  longOptionNeedsArgument: (name: string) => `option '--${name}' requires an argument`,
  longOptionTakesNoArgument: (name: string) => `option '--${name}' doesn't allow an argument`,
} as const;
