import { ArgumentScanner } from './argument-scanner';
import type { ImapCommand, NoArgumentCommandName, TaggedCommand } from './command-types';
import { parseAppend } from './grammar/append.grammar';
import { parseAuthenticate } from './grammar/authenticate.grammar';
import { parseCompress } from './grammar/compress.grammar';
import { parseCopyOrMove } from './grammar/copy-move.grammar';
import { parseEnable } from './grammar/enable.grammar';
import { parseExpunge } from './grammar/expunge.grammar';
import { parseFetch } from './grammar/fetch.grammar';
import { parseId } from './grammar/id.grammar';
import { parseList } from './grammar/list.grammar';
import { parseLogin } from './grammar/login.grammar';
import { parseCreate, parseMailboxCommand, parseRename } from './grammar/mailbox.grammar';
import { parseGetQuota, parseSetQuota } from './grammar/quota.grammar';
import { parseSearch } from './grammar/search.grammar';
import { parseSelect } from './grammar/select.grammar';
import { parseStatus } from './grammar/status.grammar';
import { parseStore } from './grammar/store.grammar';
import { ImapSyntaxError } from './syntax-error';

export type ParseResult =
  | { readonly ok: true; readonly tag: string; readonly command: ImapCommand }
  | { readonly ok: false; readonly tag: string | undefined; readonly error: Error };

const NO_ARGUMENT_COMMANDS: readonly NoArgumentCommandName[] = [
  'CAPABILITY',
  'NOOP',
  'LOGOUT',
  'STARTTLS',
  'CHECK',
  'CLOSE',
  'UNSELECT',
  'IDLE',
  'NAMESPACE',
];

const UID_COMMANDS = new Set(['FETCH', 'SEARCH', 'STORE', 'COPY', 'MOVE', 'EXPUNGE']);

function readTag(scanner: ArgumentScanner): string {
  // tag = 1*<any ASTRING-CHAR except "+">
  const tag = scanner.atomExcept([0x2b]);
  if (!scanner.atEnd() && scanner.peek() === 0x5d) throw new ImapSyntaxError('Invalid tag');
  return tag;
}

function parseArguments(scanner: ArgumentScanner, name: string, uid: boolean): ImapCommand {
  if (uid && !UID_COMMANDS.has(name)) throw new ImapSyntaxError(`UID ${name} is not a command`);
  const noArgument = NO_ARGUMENT_COMMANDS.find((candidate) => candidate === name);
  if (noArgument) {
    scanner.expectEnd();
    return { name: noArgument };
  }
  switch (name) {
    case 'LOGIN':
      return parseLogin(scanner);
    case 'AUTHENTICATE':
      return parseAuthenticate(scanner);
    case 'ENABLE':
      return parseEnable(scanner);
    case 'ID':
      return parseId(scanner);
    case 'COMPRESS':
      return parseCompress(scanner);
    case 'SELECT':
    case 'EXAMINE':
      return parseSelect(scanner, name);
    case 'CREATE':
      return parseCreate(scanner);
    case 'DELETE':
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      return parseMailboxCommand(scanner, name);
    case 'RENAME':
      return parseRename(scanner);
    case 'LIST':
    case 'LSUB':
      return parseList(scanner, name);
    case 'STATUS':
      return parseStatus(scanner);
    case 'APPEND':
      return parseAppend(scanner);
    case 'EXPUNGE':
      return parseExpunge(scanner, uid);
    case 'SEARCH':
      return parseSearch(scanner, uid);
    case 'FETCH':
      return parseFetch(scanner, uid);
    case 'STORE':
      return parseStore(scanner, uid);
    case 'COPY':
    case 'MOVE':
      return parseCopyOrMove(scanner, name, uid);
    case 'GETQUOTA':
    case 'GETQUOTAROOT':
      return parseGetQuota(scanner, name);
    case 'SETQUOTA':
      return parseSetQuota(scanner);
    default:
      throw new ImapSyntaxError(`Unknown command ${name}`);
  }
}

/**
 * Parses one assembled command (from `CommandReader`): `tag SP [UID SP] name args`.
 * Never throws: a syntax error comes back with the tag when one could be read, so the
 * session can answer a tagged BAD.
 */
export function parseCommand(bytes: Buffer): ParseResult {
  const scanner = new ArgumentScanner(bytes);
  let tag: string | undefined;
  try {
    tag = readTag(scanner);
    scanner.space();
    let name = scanner.atom().toUpperCase();
    let uid = false;
    if (name === 'UID') {
      uid = true;
      scanner.space();
      name = scanner.atom().toUpperCase();
    }
    const command = parseArguments(scanner, name, uid);
    const result: TaggedCommand = { tag, command };
    return { ok: true, ...result };
  } catch (error) {
    return { ok: false, tag, error: error instanceof Error ? error : new Error(String(error)) };
  }
}
