// RawArgs -> Command: what the command line means. Pure, and every conflict is found here (with
// the tables of conflicts.ts), before any socket exists: the order of nc.openbsd's main().
import type { Command, Config, Family, ProxySpec, ScanConfig, ShutdownPolicy, Transport } from '../config.js';
import { COMPLETION_SHELLS } from '../config.js';
import { UsageError } from '../errors.js';
import { messages } from '../messages.js';
import { parseListenPort, parsePort, parsePortSpec } from '../net/port.js';
import { systemServices, type ServiceTable } from '../net/services.js';
import { accessSpec } from './access.js';
import type { RawArgs } from './argv.js';
import { METER_CONFLICTS, NOT_WITH_RELAY } from './conflicts.js';
import { execSpec } from './exec.js';
import { extraOptions } from './extras.js';
import { fail, INT_MAX, INT_MIN, integerOption, MAX_TIMER_MS } from './numbers.js';
import { proxySpec } from './proxy.js';
import { relayTarget } from './relay.js';
import { socketOptions } from './socket.js';
import { tlsSpec } from './tls.js';
import { waitConfig } from './wait.js';

/** ncat's default for --max-conns. */
const DEFAULT_MAX_CONNS = 100;
/** --relay -u: how long an association lives without a datagram, without -w. */
const DEFAULT_ASSOCIATION_IDLE_MS = 60_000;

const shutdownPolicy = (raw: RawArgs, quitSeconds: number | undefined): ShutdownPolicy => {
  if (raw.noShutdown) {
    if (raw.shutdownAlways) fail('cannot use -N and --no-shutdown together');
    if (raw.sendOnly) fail(messages.cannotCombine('--send-only', '--no-shutdown'));
    return 'never';
  }
  return raw.shutdownAlways || raw.sendOnly || (quitSeconds !== undefined && quitSeconds >= 0)
    ? 'always'
    : 'auto';
};

/** -r: the ports of each range in random order (Fisher-Yates, as nc.openbsd's build_ports()). */
const shuffled = (ports: number[]): number[] => {
  for (let i = ports.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [ports[i], ports[j]] = [ports[j] ?? 0, ports[i] ?? 0];
  }
  return ports;
};

/**
 * Give the raw arguments their meaning. Pure, and every conflict is found here, before any
 * socket exists (the order of nc.openbsd's main()).
 */
export const resolveConfig = (raw: RawArgs, services: ServiceTable = systemServices()): Command => {
  if (raw.help) return { kind: 'help' };
  if (raw.version) return { kind: 'version' };
  if (raw.completion !== undefined) {
    const shell = COMPLETION_SHELLS.find((name) => name === raw.completion);
    return { kind: 'completion', shell: shell ?? fail(messages.completionShellUnknown(raw.completion)) };
  }
  if (raw.waitFor) return { kind: 'run', config: waitConfig(raw, services) };
  for (const [option, value] of [
    ['--timeout', raw.waitTimeout],
    ['--interval', raw.retry === undefined ? raw.waitInterval : undefined],
    ['--send', raw.probeSend],
    ['--expect', raw.probeExpect],
  ] as const) {
    if (value !== undefined) fail(messages.needsWait(option));
  }
  if (raw.keep && !raw.listen) fail(messages.keepNeedsListen());
  if (raw.relay !== undefined) {
    for (const [option, given] of NOT_WITH_RELAY)
      if (given(raw)) fail(messages.cannotCombine('--relay', option));
  }
  const relay = raw.relay === undefined ? undefined : relayTarget(raw, raw.relay, services);
  if (raw.scan && raw.listen) fail(messages.cannotCombine('-z', '-l'));
  if (raw.sendOnly && raw.recvOnly) fail(messages.cannotCombine('--send-only', '--recv-only'));
  if (raw.maxConns !== undefined && !raw.listen) fail(messages.needsListen('-m'));
  const metered = raw.sha256 ? '--sha256' : raw.progress ? '--progress' : undefined;
  for (const used of [metered, raw.verify ? '--verify' : undefined]) {
    if (used === undefined) continue;
    for (const [option, given] of METER_CONFLICTS) if (given(raw)) fail(messages.cannotCombine(used, option));
  }
  if (raw.verify && raw.udp) fail(messages.cannotCombine('--verify', '-u'));
  if (raw.serveCount !== undefined && raw.serveFile === undefined) fail(messages.needsServe('--count'));
  if (raw.serveFile !== undefined) {
    if (!raw.listen) fail(messages.needsListen('--serve'));
    if (raw.udp) fail(messages.cannotCombine('--serve', '-u'));
    if (raw.exec !== undefined) fail(messages.cannotCombine('--serve', '-e'));
    if (raw.shellCommand !== undefined) fail(messages.cannotCombine('--serve', '-c'));
    if (raw.serveFile === '') fail(messages.pathFailed('--serve', 'missing file name'));
  }

  const extras = extraOptions(raw);

  // -w: INT_MAX / 1000 as in nc.openbsd; 0 means no timeout.
  const waitSeconds = integerOption(raw.wait, 0, Math.floor(INT_MAX / 1000), messages.timeoutInvalid);
  const quitSeconds = integerOption(raw.quit, INT_MIN, INT_MAX, messages.quitTimerInvalid);
  const intervalSeconds = integerOption(
    raw.interval,
    0,
    Math.floor(INT_MAX / 1000),
    messages.intervalInvalid,
  );
  const maxConnections =
    integerOption(raw.maxConns, 1, INT_MAX, messages.maxConnsInvalid) ?? DEFAULT_MAX_CONNS;
  const serveCount = integerOption(raw.serveCount, 1, INT_MAX, messages.countInvalid);
  const timeoutMs = waitSeconds === undefined || waitSeconds === 0 ? undefined : waitSeconds * 1000;
  const exec = execSpec(raw);
  if (exec !== undefined && raw.scan)
    fail(messages.cannotCombine('-z', raw.exec === undefined ? '-c' : '-e'));
  const proxy = proxySpec(raw, services);
  const access = accessSpec(raw);
  // With --relay the client --ssl-* options belong to a tls:// target: --ssl is the listener's.
  const tls = tlsSpec(
    relay === undefined
      ? raw
      : { ...raw, sslTrustfile: undefined, sslServername: undefined, sslInsecure: false, sslPin: undefined },
  );
  const transport: Transport = raw.unix ? (raw.udp ? 'unix-dgram' : 'unix') : raw.udp ? 'udp' : 'tcp';
  const proto = raw.udp ? 'udp' : 'tcp';
  const family = raw.family === '4' ? 4 : raw.family === '6' ? 6 : undefined;
  // Node's timers hold at most 2^31-1 ms (24.8 days); a larger -q is "wait for the peer" in effect.
  // --send-only does not quit at stdin's EOF as ncat does: closing while the peer still sends makes
  // the kernel answer with a reset, which throws away what it has not yet sent of ours. It sends
  // FIN and drops what comes until the peer's EOF (or -q, -w).
  const quitAfterEofMs =
    quitSeconds !== undefined && quitSeconds >= 0 ? Math.min(quitSeconds * 1000, MAX_TIMER_MS) : undefined;
  const common = {
    transport,
    family,
    numeric: raw.numeric,
    verbose: raw.verbose > 0,
    // -o without --fan-out: clients only send, stdin is not read.
    readStdin: !raw.noStdin && !raw.recvOnly && !(extras.fan !== undefined && !extras.fan.fanOut),
    shutdown: shutdownPolicy(raw, quitSeconds),
    quitAfterEofMs,
    idleTimeoutMs: timeoutMs,
    crlf: raw.crlf,
    lineDelayMs: intervalSeconds === undefined || intervalSeconds === 0 ? undefined : intervalSeconds * 1000,
    telnet: raw.telnet,
    discardReceived: raw.sendOnly,
    socketOptions: socketOptions(raw),
    exec,
    // Only when asked for: every other config stays exactly as before.
    ...(metered === undefined ? {} : { meter: { sha256: raw.sha256, progress: raw.progress } }),
    ...(raw.verify ? { verify: true } : {}),
    ...(tls === undefined ? {} : { tls }),
    ...(extras.rateBytesPerSecond === undefined ? {} : { rateBytesPerSecond: extras.rateBytesPerSecond }),
  } as const;

  const { operands } = raw;
  let config: Config;
  if (raw.unix) {
    // -U: the one operand is a path; a port makes no sense (nc.openbsd's checks and wording).
    if (operands.length > 1 || raw.port !== undefined) fail(messages.portWithUnix());
    // -s PATH is the -U -u client's own socket (so the server can answer); nothing else has one.
    if (raw.source !== undefined && (!raw.udp || raw.listen)) fail(messages.cannotCombine('-s', '-U'));
    const [path] = operands;
    if (path === undefined || path === '') {
      if (raw.listen) fail(messages.missingSocketPath());
      throw new UsageError('', true);
    }
    if (raw.listen) {
      config = {
        ...common,
        mode: 'listen',
        bindAddress: path,
        port: 0,
        keepListening: raw.keep,
        access,
        maxConnections,
      };
    } else if (raw.scan) {
      config = scanConfig(raw, path, [], family, timeoutMs, undefined);
    } else {
      config = {
        ...common,
        mode: 'connect',
        host: path,
        ports: [],
        sourceAddress: raw.source,
        sourcePort: undefined,
        connectTimeoutMs: timeoutMs,
        proxy: undefined,
      };
    }
  } else if (raw.listen) {
    if (operands.length > 2 || (operands.length === 2 && raw.port !== undefined)) {
      throw new UsageError(messages.tooManyArguments(), true);
    }
    let address: string | undefined;
    let portText = raw.port;
    if (operands.length === 2) [address, portText] = operands;
    else if (operands.length === 1 && raw.port === undefined) portText = operands[0];
    else if (operands.length === 1) address = operands[0];
    if (address !== undefined && raw.source !== undefined) {
      fail(messages.listenOneAddress());
    }
    if (portText === undefined) throw new UsageError(messages.missingPort(), false);
    config = {
      ...common,
      mode: 'listen',
      bindAddress: address ?? raw.source,
      port: parseListenPort(portText, services, proto),
      keepListening: raw.keep,
      access,
      maxConnections,
    };
  } else {
    const [host, ...portTexts] = operands;
    if (host === undefined) throw new UsageError('', true);
    if (portTexts.length === 0) fail(messages.missingPort());
    const ports = portTexts.flatMap((text) => {
      const list = parsePortSpec(text, services, proto);
      return raw.randomPorts ? shuffled(list) : list;
    });
    const sourcePort = raw.port === undefined ? undefined : parsePort(raw.port, services, proto);
    if (raw.scan) {
      config = scanConfig(raw, host, ports, family, timeoutMs, proxy, sourcePort);
    } else {
      config = {
        ...common,
        mode: 'connect',
        host,
        ports,
        sourceAddress: raw.source,
        sourcePort,
        connectTimeoutMs: timeoutMs,
        proxy,
      };
    }
  }
  if (config.mode === 'listen') {
    if (extras.portFile !== undefined) config = { ...config, portFile: extras.portFile };
    if (extras.fan !== undefined) config = { ...config, fan: extras.fan };
  }
  if (config.mode === 'connect' && extras.retry !== undefined) config = { ...config, retry: extras.retry };
  if (relay !== undefined && config.mode === 'listen') {
    // -u: an association idle for -w (else a minute, as a DNS forwarder's clients retry sooner) ends.
    const associationIdleMs = timeoutMs ?? DEFAULT_ASSOCIATION_IDLE_MS;
    return {
      kind: 'run',
      config: { ...config, mode: 'relay', target: relay, targetText: raw.relay ?? '', associationIdleMs },
    };
  }
  if (raw.serveFile !== undefined && config.mode === 'listen') {
    return { kind: 'run', config: { ...config, mode: 'serve', file: raw.serveFile, count: serveCount } };
  }
  return { kind: 'run', config };
};

const scanConfig = (
  raw: RawArgs,
  host: string,
  ports: number[],
  family: Family,
  connectTimeoutMs: number | undefined,
  proxy: ProxySpec | undefined,
  sourcePort?: number,
): ScanConfig => ({
  mode: 'scan',
  transport: raw.unix ? (raw.udp ? 'unix-dgram' : 'unix') : raw.udp ? 'udp' : 'tcp',
  family,
  numeric: raw.numeric,
  verbose: raw.verbose > 0,
  host,
  ports,
  sourceAddress: raw.source,
  sourcePort,
  connectTimeoutMs,
  proxy,
});
