import type { ArgumentScanner } from '../argument-scanner';
import { ImapSyntaxError } from '../syntax-error';

const SYSTEM_FLAGS = ['\\ANSWERED', '\\FLAGGED', '\\DELETED', '\\SEEN', '\\DRAFT'];

/**
 * flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / keyword.
 * System flags are returned in their canonical case; `\Recent` cannot be stored.
 */
export function readFlag(scanner: ArgumentScanner): string {
  if (scanner.tryByte(0x5c)) {
    const name = scanner.atom();
    const upper = `\\${name.toUpperCase()}`;
    const system = SYSTEM_FLAGS.find((flag) => flag === upper);
    if (!system) throw new ImapSyntaxError(`Unknown system flag \\${name}`);
    return `\\${name[0].toUpperCase()}${name.slice(1).toLowerCase()}`;
  }
  return scanner.atom();
}

/** flag-list = "(" [flag *(SP flag)] ")" */
export function readFlagList(scanner: ArgumentScanner): string[] {
  scanner.openList();
  const flags: string[] = [];
  if (scanner.tryCloseList()) return flags;
  for (;;) {
    flags.push(readFlag(scanner));
    if (scanner.tryCloseList()) return flags;
    scanner.space();
  }
}

/** STORE also accepts flags without parentheses: `+FLAGS \Seen \Deleted`. */
export function readStoreFlags(scanner: ArgumentScanner): string[] {
  if (scanner.peekIs(0x28)) return readFlagList(scanner);
  const flags = [readFlag(scanner)];
  while (scanner.trySpace()) flags.push(readFlag(scanner));
  return flags;
}
