import type { ArgumentScanner } from '../argument-scanner';
import type { FlagOperation, ImapCommand } from '../command-types';
import { parseSequenceSet } from '../sequence-set';
import { ImapSyntaxError } from '../syntax-error';
import { readStoreFlags } from './flag-list';

/**
 * store = "STORE" SP sequence-set [SP "(" UNCHANGEDSINCE mod-sequence-valzer ")"]
 *         SP store-att-flags
 * store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
 */
export function parseStore(scanner: ArgumentScanner, uid: boolean): ImapCommand {
  scanner.space();
  const set = parseSequenceSet(scanner.sequenceSetText());
  scanner.space();
  let unchangedSince: number | undefined;
  if (scanner.tryOpenList()) {
    const modifier = scanner.atom().toUpperCase();
    if (modifier !== 'UNCHANGEDSINCE')
      throw new ImapSyntaxError(`Unknown STORE modifier ${modifier}`);
    scanner.space();
    unchangedSince = scanner.number();
    scanner.closeList();
    scanner.space();
  }
  const item = scanner.atom().toUpperCase();
  const match = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
  if (!match) throw new ImapSyntaxError(`Invalid STORE item ${item}`);
  const operation: FlagOperation = match[1] === '+' ? 'add' : match[1] === '-' ? 'remove' : 'set';
  scanner.space();
  const flags = readStoreFlags(scanner);
  scanner.expectEnd();
  return {
    name: 'STORE',
    uid,
    set,
    operation,
    silent: Boolean(match[2]),
    flags,
    ...(unchangedSince !== undefined && { unchangedSince }),
  };
}
