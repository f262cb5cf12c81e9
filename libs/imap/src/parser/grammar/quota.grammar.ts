import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand } from '../command-types';

/** getquota = "GETQUOTA" SP quota-root-name; getquotaroot = "GETQUOTAROOT" SP mailbox (RFC 9208) */
export function parseGetQuota(
  scanner: ArgumentScanner,
  name: 'GETQUOTA' | 'GETQUOTAROOT',
): ImapCommand {
  scanner.space();
  const argument = scanner.astringText();
  scanner.expectEnd();
  return name === 'GETQUOTA' ? { name, root: argument } : { name, mailbox: argument };
}

/** setquota = "SETQUOTA" SP quota-root-name SP "(" [setquota-list] ")" */
export function parseSetQuota(scanner: ArgumentScanner): ImapCommand {
  scanner.space();
  const root = scanner.astringText();
  scanner.space();
  scanner.openList();
  const limits = new Map<string, number>();
  while (!scanner.tryCloseList()) {
    const resource = scanner.atom().toUpperCase();
    scanner.space();
    limits.set(resource, scanner.number());
    if (!scanner.peekIs(0x29)) scanner.space();
  }
  scanner.expectEnd();
  return { name: 'SETQUOTA', root, limits };
}
