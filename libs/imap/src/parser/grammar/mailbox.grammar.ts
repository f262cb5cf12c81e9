import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';
import { ImapSyntaxError } from '../syntax-error';

/** DELETE / SUBSCRIBE / UNSUBSCRIBE: one mailbox argument. */
export function parseMailboxCommand(
  scanner: ArgumentScanner,
  name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE',
): ImapCommand {
  scanner.space();
  const mailbox = scanner.astringText();
  scanner.expectEnd();
  return { name, mailbox };
}

/** create = "CREATE" SP mailbox [SP "(" "USE" SP "(" use-attr ")" ")"]  (RFC 6154) */
export function parseCreate(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  const mailbox = scanner.astringText();
  let specialUse: string | undefined;
  if (scanner.trySpace()) {
    scanner.openList();
    if (!scanner.tryKeyword('USE')) throw new ImapSyntaxError('Expected USE');
    scanner.space();
    scanner.openList();
    scanner.expectByte(0x5c, '\\');
    const use = scanner.atom();
    specialUse = `\\${use[0].toUpperCase()}${use.slice(1).toLowerCase()}`;
    scanner.closeList();
    scanner.closeList();
  }
  scanner.expectEnd();
  return { name: 'CREATE', mailbox, ...(specialUse && { specialUse }) };
}

/** rename = "RENAME" SP mailbox SP mailbox */
export function parseRename(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  const from = scanner.astringText();
  scanner.space();
  const to = scanner.astringText();
  scanner.expectEnd();
  return { name: 'RENAME', from, to };
}
