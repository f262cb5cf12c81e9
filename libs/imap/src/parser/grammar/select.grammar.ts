import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand, QresyncParameters } from '../command-types';
import { parseSequenceSet } from '../sequence-set';
import { ImapSyntaxError } from '../syntax-error';

/**
 * RFC 7162: QRESYNC (uidvalidity SP mod-sequence-value [SP known-uids]
 *   [SP "(" known-sequence-set SP known-uid-set ")"])
 */
function readQresync(scanner: ArgumentScanner): QresyncParameters {
  scanner.openList();
  const uidValidity = scanner.nzNumber();
  scanner.space();
  const modseq = scanner.number();
  let knownUids;
  let knownSequenceMatch;
  while (scanner.trySpace()) {
    if (scanner.tryOpenList()) {
      const sequences = parseSequenceSet(scanner.sequenceSetText());
      scanner.space();
      const uids = parseSequenceSet(scanner.sequenceSetText());
      scanner.closeList();
      knownSequenceMatch = { sequences, uids };
    } else {
      knownUids = parseSequenceSet(scanner.sequenceSetText());
    }
  }
  scanner.closeList();
  return {
    uidValidity,
    modseq,
    ...(knownUids && { knownUids }),
    ...(knownSequenceMatch && { knownSequenceMatch }),
  };
}

/** select = "SELECT" SP mailbox [SP "(" select-param *(SP select-param) ")"] */
export function parseSelect(scanner: ArgumentScanner, name: 'SELECT' | 'EXAMINE'): ImapCommand {
  scanner.space();
  const mailbox = scanner.astringText();
  let condstore = false;
  let qresync: QresyncParameters | undefined;
  if (scanner.trySpace()) {
    scanner.openList();
    while (!scanner.tryCloseList()) {
      const parameter = scanner.atom().toUpperCase();
      if (parameter === 'CONDSTORE') condstore = true;
      else if (parameter === 'QRESYNC') {
        scanner.space();
        qresync = readQresync(scanner);
      } else throw new ImapSyntaxError(`Unknown SELECT parameter ${parameter}`);
      if (!scanner.peekIs(0x29)) scanner.space();
    }
  }
  scanner.expectEnd();
  return { name, mailbox, parameters: { condstore, ...(qresync && { qresync }) } };
}
