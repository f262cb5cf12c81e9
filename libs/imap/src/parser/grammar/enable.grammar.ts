import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';

/** enable = "ENABLE" 1*(SP capability)  (RFC 5161) */
export function parseEnable(scanner: ArgumentScanner): ImapCommand {
  const capabilities: string[] = [];
  do {
    scanner.space();
    capabilities.push(scanner.atom().toUpperCase());
  } while (!scanner.atEnd());
  return { name: 'ENABLE', capabilities };
}
