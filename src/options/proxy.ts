// -x ADDR[:PORT] with -X and -P: the proxy a connection goes through.
import type { ProxySpec } from '../config.js';
import { messages } from '../messages.js';
import { parsePort } from '../net/port.js';
import type { ServiceTable } from '../net/services.js';
import type { RawArgs } from './argv.js';
import { fail } from './numbers.js';

/** -x ADDR[:PORT] (or [V6ADDR]:PORT) with -X and -P, as nc.openbsd's main() splits them. */
export const proxySpec = (raw: RawArgs, services: ServiceTable): ProxySpec | undefined => {
  let protocol: ProxySpec['protocol'] = 'socks5';
  if (raw.proxyProtocol !== undefined) {
    if (raw.proxyProtocol.toLowerCase() === 'connect') protocol = 'connect';
    else if (raw.proxyProtocol === '4') protocol = 'socks4';
    else if (raw.proxyProtocol === '5') protocol = 'socks5';
    else fail(messages.proxyProtocolUnsupported());
  }
  if (raw.proxy === undefined) return undefined;
  if (raw.udp) fail(messages.proxyUnsupported('UDP mode'));
  if (raw.listen) fail(messages.proxyUnsupported('listen'));
  if (raw.unix) fail(messages.proxyUnsupported('unix sockets'));
  if (raw.source !== undefined) fail(messages.proxyUnsupported('local source address'));
  let host = raw.proxy;
  let portText: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close === -1) fail(messages.proxyMissingBracket());
    const rest = host.slice(close + 1);
    host = host.slice(1, close);
    if (rest !== '') {
      if (!rest.startsWith(':')) fail(messages.proxyPortDelimiter());
      portText = rest.slice(1);
    }
  } else if (host.includes(':')) {
    portText = host.slice(host.lastIndexOf(':') + 1);
    host = host.slice(0, host.lastIndexOf(':'));
  }
  // nc.openbsd's defaults when no port is given (socks.c): ssh configs rely on them.
  const port =
    portText === undefined ? (protocol === 'connect' ? 3128 : 1080) : parsePort(portText, services);
  return { protocol, host, port, user: raw.proxyUser };
};
