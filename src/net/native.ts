import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server, Socket } from 'node:net';
import type { Socket as DgramSocket } from 'node:dgram';
import type { SocketOptions } from '../config.js';
import { errnoText, TsncError } from '../errors.js';
import { messages } from '../messages.js';

/** A libuv poll handle on Node's loop around one descriptor (native/tsnc-native.c). */
export interface NativePoller {
  /** Watch for these events (both false: stop watching, so the loop may end). */
  start(readable: boolean, writable: boolean): void;
  /** Stop for good; call before the descriptor is closed. */
  close(): void;
}

/** What native/tsnc-native.c exports. Errors are thrown with `code` and `syscall`, as Node's. */
export interface NativeAddon {
  setIntOption(fd: number, level: number, name: number, value: number): void;
  getIntOption(fd: number, level: number, name: number): number;
  socketFamily(fd: number): number;
  /** Bytes sent on a TCP socket that the peer has not acknowledged yet (SIOCOUTQ). */
  sendQueue(fd: number): number;
  /** Set a pipe's kernel buffer size (F_SETPIPE_SZ); the size the kernel chose. */
  setPipeSize(fd: number, size: number): number;
  dgramOpen(): number;
  dgramBind(fd: number, path: Buffer): void;
  dgramConnect(fd: number, path: Buffer): void;
  /** The bytes sent, or -1 when the receiver's queue is full (wait for writable). */
  dgramSend(fd: number, data: Buffer, path?: Buffer): number;
  /** The next datagram and its sender's path ("" for an unbound sender), or null if none. */
  dgramRecv(fd: number): { data: Buffer; from: string } | null;
  /** A unix stream socket listening on path, bound with the address's exact length. */
  streamListen(path: Buffer, backlog: number): number;
  /** A unix stream socket connected to path (exact length); throws ECONNREFUSED and the like. */
  streamConnect(path: Buffer): number;
  close(fd: number): void;
  Poller: new (
    fd: number,
    onReady: (status: number, readable: boolean, writable: boolean) => void,
  ) => NativePoller;
  constants: Readonly<
    Record<
      | 'AF_INET'
      | 'AF_INET6'
      | 'SOL_SOCKET'
      | 'SO_RCVBUF'
      | 'SO_SNDBUF'
      | 'IPPROTO_IP'
      | 'IP_TOS'
      | 'IPPROTO_IPV6'
      | 'IPV6_TCLASS',
      number
    >
  >;
}

/** The file name the build gives the addon, next to dist/tsnc.cjs (scripts/native.mjs). */
export const NATIVE_FILE = 'tsnc-native.node';

let loaded: NativeAddon | undefined;

/** The C library a Linux program runs on: `gnu` (glibc) or `musl`. */
export type Libc = 'gnu' | 'musl';

/**
 * The prebuilt addon's folder for this system (dist/prebuilt/<target>, scripts/native.mjs), or
 * undefined when the package carries none for it.
 */
export const prebuiltTarget = (
  platform: string,
  arch: string,
  libc: Libc | undefined,
): string | undefined => {
  const target = `${platform}-${arch}-${libc ?? 'unknown'}`;
  return ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl'].includes(target) ? target : undefined;
};

/**
 * The C library from the start of an ELF program: its interpreter (PT_INTERP, in the first page)
 * is /lib/ld-musl-<arch>.so.1 for musl and ld-linux-*.so.* for glibc. Undefined if neither shows.
 * (Not the musl loader's presence on disk: Debian installs it beside glibc with musl-tools.)
 */
export const libcOfProgram = (head: Uint8Array): Libc | undefined => {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  return text.includes('/ld-musl-') ? 'musl' : /\/ld-linux[\w.-]*\.so/.test(text) ? 'gnu' : undefined;
};

/**
 * The running Node's C library: its interpreter, read from the binary (one small read), else
 * what process.report says (it takes a whole report, some ms, so only as a fallback).
 */
const runningLibc = (): Libc | undefined => {
  try {
    const fd = openSync(process.execPath, 'r');
    try {
      const head = new Uint8Array(4096);
      const found = libcOfProgram(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
      if (found !== undefined) return found;
    } finally {
      closeSync(fd);
    }
  } catch {
    // Unreadable binary: ask the report.
  }
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)
    ?.header;
  return header?.glibcVersionRuntime !== undefined ? 'gnu' : 'musl';
};

/**
 * Where the addon is: next to the bundle when the build compiled it there (a checkout, the Docker
 * image), else the prebuilt binary of the npm package that fits this system.
 */
const addonPath = (): string => {
  const beside = fileURLToPath(new URL(NATIVE_FILE, import.meta.url));
  if (existsSync(beside) || process.platform !== 'linux') return beside;
  const target = prebuiltTarget(process.platform, process.arch, runningLibc());
  if (target === undefined) return beside;
  const prebuilt = fileURLToPath(new URL(`prebuilt/${target}/${NATIVE_FILE}`, import.meta.url));
  return existsSync(prebuilt) ? prebuilt : beside;
};

/**
 * The addon, loaded on first use from the bundle's own directory (or its prebuilt/): only -U -u,
 * -U @name, -T, -I/-O on TCP, -q's close and stdin on a pipe need it, and nothing else pays for
 * loading it. Missing (no compiler at build time, only tsnc.cjs copied, the single executable): a
 * TsncError that says which feature and why.
 */
export const loadNative = (feature: string): NativeAddon => {
  if (loaded !== undefined) return loaded;
  const path = addonPath();
  const carried = existsSync(path) ? undefined : seaAsset(NATIVE_FILE);
  if (!existsSync(path) && carried === undefined)
    throw new TsncError(messages.nativeUnavailable(feature, path, errnoText({ code: 'ENOENT' })));
  // process.dlopen, not require(): createRequire would load node:module, and with it Node's ESM
  // loader, into the bundle's start-up.
  const addon = { exports: {} };
  try {
    if (carried === undefined) process.dlopen(addon, path);
    else dlopenBytes(addon, carried);
  } catch (error) {
    throw new TsncError(messages.nativeUnavailable(feature, path, firstLine(error)));
  }
  loaded = addon.exports as NativeAddon;
  return loaded;
};

/**
 * An asset of the single executable (`npm run sea` puts the addon in), or undefined when tsnc does
 * not run as one. node:sea is asked for only here, at the first use of the addon: Node 18 has no
 * such module, and nothing else needs it.
 */
const seaAsset = (name: string): ArrayBuffer | undefined => {
  try {
    // The bundle is CommonJS: its require() loads a built-in on the spot (the unbundled ES modules
    // of `npm run dev` have none, and are never a single executable).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, and only in the bundle
    const sea = (typeof require === 'function' ? require('node:sea') : undefined) as
      { isSea(): boolean; getAsset(key: string): ArrayBuffer } | undefined;
    return sea?.isSea() === true ? sea.getAsset(name) : undefined;
  } catch {
    return undefined;
  }
};

/** dlopen() wants a file: the bytes go to a private folder, which is gone once they are loaded. */
const dlopenBytes = (addon: { exports: unknown }, bytes: ArrayBuffer): void => {
  const dir = mkdtempSync(join(tmpdir(), 'tsnc-native-'));
  try {
    const file = join(dir, NATIVE_FILE);
    writeFileSync(file, new Uint8Array(bytes), { mode: 0o500 });
    process.dlopen(addon, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

/**
 * Widen a pipe's kernel buffer to `size` bytes (F_SETPIPE_SZ) so that one read can take that much.
 * Best effort: without the addon, or past the system's limit (/proc/sys/fs/pipe-max-size), the
 * pipe stays as it is (false).
 */
export const widenPipe = (fd: number, size: number): boolean => {
  try {
    return loadNative('a wide stdin pipe').setPipeSize(fd, size) >= size;
  } catch {
    return false;
  }
};

/** The descriptor under a connected or listening net socket (fd -1 until connect() has run). */
export const streamFd = (socket: Socket | Server): number =>
  (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;

/** The descriptor under a bound dgram socket (kept in a symbol-keyed state object by Node). */
const dgramFd = (socket: DgramSocket): number => {
  for (const key of Object.getOwnPropertySymbols(socket)) {
    const state = (socket as unknown as Record<symbol, { handle?: { fd?: number } } | undefined>)[key];
    if (typeof state?.handle?.fd === 'number') return state.handle.fd;
  }
  return -1;
};

/** Set one int option, or fail with nc.openbsd's line (`set IP ToS: Invalid argument`). */
const setOption = (
  native: NativeAddon,
  fd: number,
  level: number,
  name: number,
  value: number,
  what: string,
): void => {
  try {
    native.setIntOption(fd, level, name, value);
  } catch (error) {
    throw new TsncError(messages.socketOptionFailed(what, errnoText(error)));
  }
};

/** -T on a descriptor: IP_TOS for IPv4, IPV6_TCLASS for IPv6 (and IP_TOS for its v4-mapped peers). */
const setTos = (native: NativeAddon, fd: number, tos: number): void => {
  const { constants: c } = native;
  if (native.socketFamily(fd) === c.AF_INET6) {
    setOption(native, fd, c.IPPROTO_IPV6, c.IPV6_TCLASS, tos, 'set IPv6 traffic class');
    try {
      native.setIntOption(fd, c.IPPROTO_IP, c.IP_TOS, tos);
    } catch {
      // An IPv6-only socket has no IPv4 side: the traffic class is all there is.
    }
  } else {
    setOption(native, fd, c.IPPROTO_IP, c.IP_TOS, tos, 'set IP ToS');
  }
};

/**
 * -I -O -T on a TCP socket or listener (nc.openbsd's set_common_sockopts). A listener's options
 * are inherited by the connections it accepts.
 */
export const applyStreamOptions = (socket: Socket | Server, options: SocketOptions): void => {
  const { recvBufferSize, sendBufferSize, tos } = options;
  if (recvBufferSize === undefined && sendBufferSize === undefined && tos === undefined) return;
  const native = loadNative(tos !== undefined ? 'set IP ToS' : 'set TCP buffer size');
  const fd = streamFd(socket);
  const { constants: c } = native;
  if (recvBufferSize !== undefined)
    setOption(native, fd, c.SOL_SOCKET, c.SO_RCVBUF, recvBufferSize, 'set TCP receive buffer size');
  if (sendBufferSize !== undefined)
    setOption(native, fd, c.SOL_SOCKET, c.SO_SNDBUF, sendBufferSize, 'set TCP send buffer size');
  if (tos !== undefined) setTos(native, fd, tos);
};

/** -T on a bound UDP socket (-I/-O need no addon there: Node sets them). */
export const applyDatagramTos = (socket: DgramSocket, tos: number): void => {
  const native = loadNative('set IP ToS');
  setTos(native, dgramFd(socket), tos);
};
