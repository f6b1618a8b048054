import { readFileSync } from 'node:fs';
import { BlockList, isIPv4 } from 'node:net';
import type { AccessSpec, Family } from '../config.js';
import { errnoText, TsncError } from '../errors.js';
import { messages } from '../messages.js';
import { parseAddressSpec, splitAddressList, type AddressSpec } from './address-spec.js';
import { resolveOrFail } from './resolve.js';

/** Who may connect: check(address) says whether a peer is let in, and if not, which rule refused it. */
export interface AccessGate {
  check(address: string): { readonly ok: true } | { readonly ok: false; readonly rule: string };
}

/** ::ffff:10.0.0.1 (an IPv4 peer on a dual-stack socket) is 10.0.0.1 for the rules. */
const plainAddress = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

const addToList = async (
  list: BlockList,
  spec: AddressSpec,
  family: Family,
  numeric: boolean,
): Promise<void> => {
  switch (spec.kind) {
    case 'address':
      list.addAddress(spec.address, spec.family === 4 ? 'ipv4' : 'ipv6');
      return;
    case 'network':
      list.addSubnet(spec.address, spec.prefix, spec.family === 4 ? 'ipv4' : 'ipv6');
      return;
    case 'name': {
      // A name stands for every address it has now (ncat resolves --allow names once, at start).
      const addresses = await resolveOrFail(spec.name, 'null', family, numeric);
      for (const address of addresses) list.addAddress(address, isIPv4(address) ? 'ipv4' : 'ipv6');
    }
  }
};

const entriesOf = (
  option: string,
  inline: readonly string[],
  files: readonly string[],
): [string, string][] => {
  const entries: [string, string][] = inline.map((entry) => [option, entry]);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new TsncError(messages.pathFailed(file, errnoText(error)));
    }
    for (const entry of splitAddressList(text)) entries.push([`${option}file ${file}`, entry]);
  }
  return entries;
};

/** The list the options give, or undefined when none was given (a file that lists nobody is a list of nobody). */
const buildList = async (
  given: boolean,
  entries: [string, string][],
  family: Family,
  numeric: boolean,
): Promise<BlockList | undefined> => {
  if (!given) return undefined;
  const list = new BlockList();
  for (const [option, entry] of entries) {
    const spec = parseAddressSpec(entry);
    if (spec === undefined) throw new TsncError(messages.addressSpecInvalid(option, entry));
    await addToList(list, spec, family, numeric);
  }
  return list;
};

/**
 * Read the --allowfile/--denyfile files and resolve names, before the listener exists. A peer
 * must match --allow (if any is given) and must not match --deny.
 */
export const loadAccess = async (spec: AccessSpec, family: Family, numeric: boolean): Promise<AccessGate> => {
  const allowGiven = spec.allow.length + spec.allowFiles.length > 0;
  const denyGiven = spec.deny.length + spec.denyFiles.length > 0;
  const allow = await buildList(
    allowGiven,
    entriesOf('--allow', spec.allow, spec.allowFiles),
    family,
    numeric,
  );
  const deny = await buildList(denyGiven, entriesOf('--deny', spec.deny, spec.denyFiles), family, numeric);
  return {
    check: (rawAddress) => {
      const address = plainAddress(rawAddress);
      const type = isIPv4(address) ? 'ipv4' : 'ipv6';
      if (allow !== undefined && !allow.check(address, type)) return { ok: false, rule: 'not in --allow' };
      if (deny?.check(address, type) === true) return { ok: false, rule: 'in --deny' };
      return { ok: true };
    },
  };
};
