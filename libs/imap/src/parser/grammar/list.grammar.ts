import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand, ListReturnOptions, StatusItem } from '../command-types';
import { ImapSyntaxError } from '../syntax-error';
import { readStatusItems } from './status.grammar';

const SELECTION_OPTIONS = ['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE'];

function readReturnOptions(scanner: ArgumentScanner): ListReturnOptions {
  const options: {
    specialUse: boolean;
    children: boolean;
    subscribed: boolean;
    status?: StatusItem[];
  } = { specialUse: false, children: false, subscribed: false };
  scanner.openList();
  while (!scanner.tryCloseList()) {
    const option = scanner.atom().toUpperCase();
    if (option === 'SPECIAL-USE') options.specialUse = true;
    else if (option === 'CHILDREN') options.children = true;
    else if (option === 'SUBSCRIBED') options.subscribed = true;
    else if (option === 'STATUS') {
      scanner.space();
      options.status = readStatusItems(scanner);
    } else throw new ImapSyntaxError(`Unknown LIST return option ${option}`);
    if (!scanner.peekIs(0x29)) scanner.space();
  }
  return options;
}

/**
 * list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
 * (RFC 5258 LIST-EXTENDED, as far as SPECIAL-USE (RFC 6154) needs it).
 */
export function parseList(scanner: ArgumentScanner, name: 'LIST' | 'LSUB'): ImapCommand {
  scanner.space();
  const selection: string[] = [];
  if (name === 'LIST' && scanner.tryOpenList()) {
    while (!scanner.tryCloseList()) {
      const option = scanner.atom().toUpperCase();
      if (!SELECTION_OPTIONS.includes(option))
        throw new ImapSyntaxError(`Unknown LIST selection option ${option}`);
      selection.push(option);
      if (!scanner.peekIs(0x29)) scanner.space();
    }
    // RFC 5258 3: RECURSIVEMATCH only qualifies another selection option.
    if (
      selection.includes('RECURSIVEMATCH') &&
      !selection.some((o) => o !== 'RECURSIVEMATCH' && o !== 'REMOTE')
    ) {
      throw new ImapSyntaxError('RECURSIVEMATCH needs another selection option');
    }
    scanner.space();
  }
  const reference = scanner.astringText();
  scanner.space();
  const patterns: string[] = [];
  if (name === 'LIST' && scanner.tryOpenList()) {
    patterns.push(scanner.listMailbox());
    while (!scanner.tryCloseList()) {
      scanner.space();
      patterns.push(scanner.listMailbox());
    }
  } else {
    patterns.push(scanner.listMailbox());
  }
  let returnOptions: ListReturnOptions = { specialUse: false, children: false, subscribed: false };
  if (name === 'LIST' && scanner.trySpace()) {
    if (!scanner.tryKeyword('RETURN')) throw new ImapSyntaxError('Expected RETURN');
    scanner.space();
    returnOptions = readReturnOptions(scanner);
  }
  scanner.expectEnd();
  return { name, reference, patterns, selection, returnOptions };
}
