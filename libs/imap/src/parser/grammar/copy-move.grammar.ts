import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';
import { parseSequenceSet } from '../sequence-set';

/** copy = "COPY" SP sequence-set SP mailbox; move = "MOVE" SP sequence-set SP mailbox (RFC 6851) */
export function parseCopyOrMove(
  scanner: ArgumentScanner,
  name: 'COPY' | 'MOVE',
  uid: boolean,
): ImapCommand {
  scanner.space();
  const set = parseSequenceSet(scanner.sequenceSetText());
  scanner.space();
  const mailbox = scanner.astringText();
  scanner.expectEnd();
  return { name, uid, set, mailbox };
}
