// --allow, --deny, --allowfile, --denyfile: which peers a listener accepts.
import type { AccessSpec } from '../config.js';
import { messages } from '../messages.js';
import { parseAddressSpec, splitAddressList } from '../net/address-spec.js';
import type { RawArgs } from './argv.js';
import { fail } from './numbers.js';

/** --allow/--deny and their files; the entries are checked here, the files when listening starts. */
export const accessSpec = (raw: RawArgs): AccessSpec | undefined => {
  const used = [
    ['--allow', raw.allow],
    ['--allowfile', raw.allowFile],
    ['--deny', raw.deny],
    ['--denyfile', raw.denyFile],
  ] as const;
  const given = used.find(([, values]) => values.length > 0);
  if (given === undefined) return undefined;
  if (!raw.listen) fail(messages.needsListen(given[0]));
  if (raw.unix) fail(messages.cannotCombine(given[0], '-U'));
  for (const [option, values] of [used[0], used[2]]) {
    // An empty --allow "$TRUSTED" must not read as "no --allow" (everyone in): it is an error.
    if (values.some((value) => splitAddressList(value).length === 0)) fail(messages.addressListEmpty(option));
    for (const entry of values.flatMap(splitAddressList)) {
      if (parseAddressSpec(entry) === undefined) fail(messages.addressSpecInvalid(option, entry));
      if (raw.numeric && parseAddressSpec(entry)?.kind === 'name') {
        fail(messages.resolveFailed(entry, 'null', 'Name or service not known'));
      }
    }
  }
  return {
    allow: raw.allow.flatMap(splitAddressList),
    deny: raw.deny.flatMap(splitAddressList),
    allowFiles: raw.allowFile,
    denyFiles: raw.denyFile,
  };
};
