import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';

/** compress = "COMPRESS" SP algorithm  (RFC 4978) */
export function parseCompress(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  const mechanism = scanner.atom().toUpperCase();
  scanner.expectEnd();
  return { name: 'COMPRESS', mechanism };
}
