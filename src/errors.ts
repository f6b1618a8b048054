/** The one exit-code table: docs/options.md and --help print it, a test keeps them equal. */
export const EXIT = {
  ok: 0,
  failure: 1,
} as const;

/** Exit status for death by signal n, as a shell reports it. */
export const signalExitCode = (signalNumber: number): number => 128 + signalNumber;

/** The exit-code table as shown to users (docs/options.md, --help, the man page). */
export const EXIT_TABLE: readonly (readonly [string, string])[] = [
  ['0', 'normal end, idle timeout (-w), peer reset, or -z found an open port'],
  ['1', 'usage, port, resolve, connect or bind error; -z found no open port; stdout write error'],
  ['128+n', 'killed by signal n (130 SIGINT, 143 SIGTERM, 129 SIGHUP)'],
];

/** An error whose message is shown to the user as one line after the program name. */
export class TsncError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'TsncError';
  }
}

/** A command-line error: printed like getopt's, optionally followed by the usage text. */
export class UsageError extends TsncError {
  constructor(
    message: string,
    readonly showUsage: boolean,
  ) {
    super(message, EXIT.failure);
    this.name = 'UsageError';
  }
}

/**
 * strerror() texts for the errno codes a netcat meets, by explicit allow-list (glibc wording,
 * as nc prints them). Anything else is shown by its code.
 */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ECONNABORTED: 'Software caused connection abort',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ENETDOWN: 'Network is down',
  EHOSTDOWN: 'Host is down',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EPIPE: 'Broken pipe',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  EIO: 'Input/output error',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EINPROGRESS: 'Operation now in progress',
  EPROTONOSUPPORT: 'Protocol not supported',
  EPROTOTYPE: 'Protocol wrong type for socket',
  ENAMETOOLONG: 'File name too long',
  EMSGSIZE: 'Message too long',
  ENOTSOCK: 'Socket operation on non-socket',
};

/** getaddrinfo() texts (gai_strerror) for the codes Node reports. */
const GAI_TEXT: Readonly<Record<string, string>> = {
  ENOTFOUND: 'Name or service not known',
  EAI_NONAME: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EAI_FAIL: 'Non-recoverable failure in name resolution',
  EAI_ADDRFAMILY: 'Address family for hostname not supported',
  EAI_FAMILY: 'ai_family not supported',
  EAI_NODATA: 'No address associated with hostname',
  ENODATA: 'No address associated with hostname',
  EAI_SERVICE: 'Servname not supported for ai_socktype',
  EAI_MEMORY: 'Memory allocation failure',
};

const codeOf = (error: unknown): string | undefined => {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
};

/** strerror()-style text for a Node system error. */
export const errnoText = (error: unknown): string => {
  const code = codeOf(error);
  if (code !== undefined) return ERRNO_TEXT[code] ?? GAI_TEXT[code] ?? code;
  return error instanceof Error ? error.message : String(error);
};

/** gai_strerror()-style text for a failed name lookup. */
export const resolveErrorText = (error: unknown): string => {
  const code = codeOf(error);
  if (code !== undefined) return GAI_TEXT[code] ?? ERRNO_TEXT[code] ?? code;
  return 'Name or service not known';
};

/** The errno code of a Node system error, if any. */
export const errorCode = codeOf;
