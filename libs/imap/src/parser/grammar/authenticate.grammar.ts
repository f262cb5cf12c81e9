import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';
import { ImapSyntaxError } from '../syntax-error';

/** authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]  (RFC 4959 SASL-IR) */
export function parseAuthenticate(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  const mechanism = scanner.atom().toUpperCase();
  if (!scanner.trySpace()) {
    scanner.expectEnd();
    return { name: 'AUTHENTICATE', mechanism };
  }
  const initialResponse = scanner.rest().toString('latin1');
  if (!/^(?:[A-Za-z0-9+/]*={0,2}|=)$/.test(initialResponse)) {
    throw new ImapSyntaxError('Initial response is not base64');
  }
  return { name: 'AUTHENTICATE', mechanism, initialResponse };
}
