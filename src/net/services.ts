import { readFileSync } from 'node:fs';

/** A parsed /etc/services: name -> port and port -> name, per protocol. */
export interface ServiceTable {
  portOf(name: string, proto: string): number | undefined;
  nameOf(port: number, proto: string): string | undefined;
}

/** Parse services(5) text. The first entry for a port names it, as getservbyport() does. */
export const parseServices = (text: string): ServiceTable => {
  const byName = new Map<string, number>();
  const byPort = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const match = /^(\d+)\/(\w+)$/.exec(portProto ?? '');
    if (name === undefined || match === null) continue;
    const port = Number(match[1]);
    const proto = match[2] ?? '';
    for (const alias of [name, ...aliases]) {
      const key = `${alias}/${proto}`;
      if (!byName.has(key)) byName.set(key, port);
    }
    const portKey = `${port}/${proto}`;
    if (!byPort.has(portKey)) byPort.set(portKey, name);
  }
  return {
    portOf: (name, proto) => byName.get(`${name}/${proto}`),
    nameOf: (port, proto) => byPort.get(`${port}/${proto}`),
  };
};

let systemTable: ServiceTable | undefined;

const loadSystemTable = (): ServiceTable => {
  if (systemTable === undefined) {
    let text = '';
    try {
      text = readFileSync('/etc/services', 'latin1');
    } catch {
      // No services file: every port shows as [tcp/*], and only numeric ports parse.
    }
    systemTable = parseServices(text);
  }
  return systemTable;
};

/**
 * The system's /etc/services; empty where the file is missing (slim images). Read on first use,
 * once: a numeric port without -v never needs it, and start-up is what shell loops pay for.
 */
export const systemServices = (): ServiceTable => ({
  portOf: (name, proto) => loadSystemTable().portOf(name, proto),
  nameOf: (port, proto) => loadSystemTable().nameOf(port, proto),
});
