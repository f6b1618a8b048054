// The `$ tsnc ...` examples of the README and docs/*.md (the --json ones and the terminal sessions)
// could happen: each command parses, -n never meets a host name (it forbids resolving one), and the
// events shown after it carry its host.
import { readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseServices } from '../../src/net/services.js';
import { configOf } from '../helpers/options.js';

const services = parseServices('postgresql 5432/tcp\nssh 22/tcp\ntelnet 23/tcp\n');

interface Example {
  readonly where: string;
  readonly argv: string[];
  readonly events: Record<string, unknown>[];
}

/**
 * Each `$ tsnc` line of a code block, its arguments up to a redirection, pipe, list operator or
 * shell comment, and the JSON lines after it.
 */
const examples = (where: string): Example[] => {
  const text = readFileSync(new URL(`../../${where}`, import.meta.url), 'utf8');
  const found: Example[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const part of (block[1] ?? '').split(/^(?=\$ tsnc )/m)) {
      const [command = '', ...output] = part.split('\n');
      if (!command.startsWith('$ tsnc ')) continue;
      const words = command.slice('$ tsnc '.length).split(/\s+/);
      const end = words.findIndex((word) => /^(\d?[<>]|\||2>&1|#|&|;)/.test(word));
      const events = output
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line.replace(/"time":"\.\.\."/, '"time":""')) as Record<string, unknown>);
      found.push({ where, argv: end === -1 ? words : words.slice(0, end), events });
    }
  }
  return found;
};

const documents = [
  'README.md',
  ...readdirSync(new URL('../../docs', import.meta.url))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];
const all = documents.flatMap(examples);

describe('the --json examples of the docs', () => {
  it('there are some in the files that show sessions', () => {
    expect(all.filter((example) => example.where === 'docs/json.md').length).toBeGreaterThanOrEqual(4);
    expect(all.filter((example) => example.where === 'docs/beyond-nc.md').length).toBeGreaterThanOrEqual(2);
  });

  it.each(all.map((example) => [example.where, example.argv.join(' '), example] as const))(
    '%s: tsnc %s could happen',
    (_where, _command, example) => {
      const config = configOf(example.argv, services);
      if (config.mode === 'connect' || config.mode === 'scan') {
        if (config.numeric)
          expect({ host: config.host, ip: isIP(config.host) > 0 }).toMatchObject({ ip: true });
        for (const event of example.events.filter(
          (e) => e['event'] === 'connected' || e['event'] === 'scan',
        )) {
          expect(event['host']).toBe(config.host);
          // A service name needs a lookup in /etc/services, which -n forbids.
          if (config.numeric) expect(event['service'] ?? null).toBeNull();
        }
      }
    },
  );
});
