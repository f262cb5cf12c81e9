import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';

/** login = "LOGIN" SP userid SP password (both astrings) */
export function parseLogin(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  const user = scanner.astringText();
  scanner.space();
  const password = scanner.astringText();
  scanner.expectEnd();
  return { name: 'LOGIN', user, password };
}
