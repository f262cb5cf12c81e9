import type { ArgumentScanner } from '../argument-scanner';
import { ImapSyntaxError } from '../syntax-error';

const SYSTEM_FLAGS = ['\\ANSWERED', '\\FLAGGED', '\\DELETED', '\\SEEN', '\\DRAFT'];

/** `\Recent` is valid syntax in a flag list but only the server sets it (RFC 3501 2.3.2). */
const RECENT = '\\Recent';

/**
 * flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / keyword.
 * System flags are returned in their canonical case.
 */
export function readFlag(scanner: ArgumentScanner): string {
  if (scanner.tryByte(0x5c)) {
    const name = scanner.atom();
    const canonical = `\\${name[0].toUpperCase()}${name.slice(1).toLowerCase()}`;
    if (canonical === RECENT) return RECENT;
    const upper = `\\${name.toUpperCase()}`;
    if (!SYSTEM_FLAGS.includes(upper)) throw new ImapSyntaxError(`Unknown system flag \\${name}`);
    return canonical;
  }
  return scanner.atom();
}

/** Flags a client may set: what it sent without `\Recent`, which it cannot change. */
function settable(flags: string[]): string[] {
  return flags.filter((flag) => flag !== RECENT);
}

/** flag-list = "(" [flag *(SP flag)] ")" */
export function readFlagList(scanner: ArgumentScanner): string[] {
  scanner.openList();
  const flags: string[] = [];
  if (scanner.tryCloseList()) return flags;
  for (;;) {
    flags.push(readFlag(scanner));
    if (scanner.tryCloseList()) return settable(flags);
    scanner.space();
  }
}

/** STORE also accepts flags without parentheses: `+FLAGS \Seen \Deleted`. */
export function readStoreFlags(scanner: ArgumentScanner): string[] {
  if (scanner.peekIs(0x28)) return readFlagList(scanner);
  const flags = [readFlag(scanner)];
  while (scanner.trySpace()) flags.push(readFlag(scanner));
  return settable(flags);
}
