import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';
import { ImapSyntaxError } from '../syntax-error';

/** At most 30 field-value pairs (RFC 2971 3.3). */
const MAX_ID_FIELDS = 30;

/** id = "ID" SP id-params-list; id-params-list = "(" *(string SP nstring) ")" / nil */
export function parseId(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  if (scanner.tryKeyword('NIL')) {
    scanner.expectEnd();
    return { name: 'ID', parameters: null };
  }
  const parameters = new Map<string, string | null>();
  scanner.openList();
  while (!scanner.tryCloseList()) {
    if (parameters.size >= MAX_ID_FIELDS) throw new ImapSyntaxError('Too many ID fields');
    const field = scanner.string().toString('utf8');
    scanner.space();
    const value = scanner.nstring();
    parameters.set(field, value === null ? null : value.toString('utf8'));
    if (!scanner.peekIs(0x29)) scanner.space();
  }
  scanner.expectEnd();
  return { name: 'ID', parameters };
}
