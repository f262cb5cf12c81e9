import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand, StatusItem } from '../command-types';
import { ImapSyntaxError } from '../syntax-error';

const STATUS_ITEMS: readonly StatusItem[] = [
  'MESSAGES',
  'RECENT',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'HIGHESTMODSEQ',
  'SIZE',
];

/** "(" status-att *(SP status-att) ")" */
export function readStatusItems(scanner: ArgumentScanner): StatusItem[] {
  scanner.openList();
  const items: StatusItem[] = [];
  for (;;) {
    const item = scanner.atom().toUpperCase();
    const known = STATUS_ITEMS.find((candidate) => candidate === item);
    if (!known) throw new ImapSyntaxError(`Unknown STATUS item ${item}`);
    items.push(known);
    if (scanner.tryCloseList()) return items;
    scanner.space();
  }
}

/** status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")" */
export function parseStatus(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  const mailbox = scanner.astringText();
  scanner.space();
  const items = readStatusItems(scanner);
  scanner.expectEnd();
  return { name: 'STATUS', mailbox, items };
}
