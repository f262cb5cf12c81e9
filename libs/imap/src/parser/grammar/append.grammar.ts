import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';
import { ImapSyntaxError } from '../syntax-error';
import { parseDateTime } from './date-time';
import { readFlagList } from './flag-list';

/** append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal */
export function parseAppend(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  const mailbox = scanner.astringText();
  scanner.space();
  let flags: string[] = [];
  if (scanner.peekIs(0x28)) {
    flags = readFlagList(scanner);
    scanner.space();
  }
  let internalDate: Date | undefined;
  if (scanner.peekIs(0x22)) {
    internalDate = parseDateTime(scanner.quoted().toString('latin1'));
    scanner.space();
  }
  if (!scanner.peekIs(0x7b)) throw new ImapSyntaxError('APPEND needs the message as a literal');
  const message = scanner.literal();
  scanner.expectEnd();
  return { name: 'APPEND', mailbox, flags, ...(internalDate && { internalDate }), message };
}
