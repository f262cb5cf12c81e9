import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';
import { parseSequenceSet } from '../sequence-set';
import { ImapSyntaxError } from '../syntax-error';

/** expunge = "EXPUNGE"; uid-expunge = "UID" SP "EXPUNGE" SP sequence-set (RFC 4315) */
export function parseExpunge(scanner: ArgumentScanner, uid: boolean): ImapCommand {
  if (!uid) {
    scanner.expectEnd();
    return { name: 'EXPUNGE', uid };
  }
  if (!scanner.trySpace()) throw new ImapSyntaxError('UID EXPUNGE needs a UID set');
  const uids = parseSequenceSet(scanner.sequenceSetText());
  scanner.expectEnd();
  return { name: 'EXPUNGE', uid, uids };
}
