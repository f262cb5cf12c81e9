import * as iconv from 'iconv-lite';
import type { ArgumentScanner } from '../argument-scanner';
import type { ImapCommand, SearchKey } from '../command-types';
import { parseSequenceSet } from '../sequence-set';
import { ImapSyntaxError } from '../syntax-error';
import { readSearchDate } from './date-time';

/** The CHARSET of a SEARCH is not one we can decode: answer `NO [BADCHARSET]`. */
export class UnsupportedCharsetError extends Error {
  constructor(readonly charset: string) {
    super(`Unsupported charset ${charset}`);
    this.name = 'UnsupportedCharsetError';
  }
}

/** NOT NOT NOT ... and nested parentheses recurse; this bounds the stack. */
const MAX_KEY_DEPTH = 32;

const FLAG_KEYS: Record<string, { flag: string; present: boolean }> = {
  ANSWERED: { flag: '\\Answered', present: true },
  DELETED: { flag: '\\Deleted', present: true },
  DRAFT: { flag: '\\Draft', present: true },
  FLAGGED: { flag: '\\Flagged', present: true },
  SEEN: { flag: '\\Seen', present: true },
  UNANSWERED: { flag: '\\Answered', present: false },
  UNDELETED: { flag: '\\Deleted', present: false },
  UNDRAFT: { flag: '\\Draft', present: false },
  UNFLAGGED: { flag: '\\Flagged', present: false },
  UNSEEN: { flag: '\\Seen', present: false },
};

const HEADER_KEYS: Record<string, string> = {
  BCC: 'bcc',
  CC: 'cc',
  FROM: 'from',
  SUBJECT: 'subject',
  TO: 'to',
};

const DATE_KEYS: Record<
  string,
  { source: 'internal' | 'sent'; comparison: 'before' | 'on' | 'since' }
> = {
  BEFORE: { source: 'internal', comparison: 'before' },
  ON: { source: 'internal', comparison: 'on' },
  SINCE: { source: 'internal', comparison: 'since' },
  SENTBEFORE: { source: 'sent', comparison: 'before' },
  SENTON: { source: 'sent', comparison: 'on' },
  SENTSINCE: { source: 'sent', comparison: 'since' },
};

/** Decodes search strings sent in the command's CHARSET (UTF-8 when none is given). */
type TextDecoder = (bytes: Buffer) => string;

export function charsetDecoder(charset: string): TextDecoder {
  const name = charset.toUpperCase();
  if (name === 'UTF-8' || name === 'US-ASCII') return (bytes) => bytes.toString('utf8');
  if (!iconv.encodingExists(name)) throw new UnsupportedCharsetError(charset);
  return (bytes) => iconv.decode(bytes, name);
}

function readKey(scanner: ArgumentScanner, decode: TextDecoder, depth: number): SearchKey {
  if (depth > MAX_KEY_DEPTH) throw new ImapSyntaxError('Search keys nested too deeply');
  if (scanner.tryOpenList()) {
    const keys = [readKey(scanner, decode, depth + 1)];
    while (!scanner.tryCloseList()) {
      scanner.space();
      keys.push(readKey(scanner, decode, depth + 1));
    }
    return keys.length === 1 ? keys[0] : { kind: 'and', keys };
  }
  const next = scanner.peek();
  if (next === 0x2a || (next !== undefined && next >= 0x30 && next <= 0x39)) {
    return { kind: 'sequence', set: parseSequenceSet(scanner.sequenceSetText()) };
  }
  const name = scanner.atom().toUpperCase();
  const text = (): string => {
    scanner.space();
    return decode(scanner.astring());
  };
  if (name in FLAG_KEYS) return { kind: 'flag', ...FLAG_KEYS[name] };
  if (name in HEADER_KEYS) return { kind: 'header', field: HEADER_KEYS[name], value: text() };
  if (name in DATE_KEYS) {
    scanner.space();
    return { kind: 'date', ...DATE_KEYS[name], day: readSearchDate(scanner) };
  }
  switch (name) {
    case 'ALL':
      return { kind: 'all' };
    case 'NEW':
      return { kind: 'new' };
    case 'OLD':
      return { kind: 'recent', present: false };
    case 'RECENT':
      return { kind: 'recent', present: true };
    case 'KEYWORD':
    case 'UNKEYWORD':
      scanner.space();
      return { kind: 'flag', flag: scanner.atom(), present: name === 'KEYWORD' };
    case 'BODY':
      return { kind: 'body', value: text() };
    case 'TEXT':
      return { kind: 'text', value: text() };
    case 'HEADER': {
      scanner.space();
      const field = scanner.astring().toString('latin1').toLowerCase();
      return { kind: 'header', field, value: text() };
    }
    case 'LARGER':
    case 'SMALLER':
      scanner.space();
      return {
        kind: 'size',
        comparison: name === 'LARGER' ? 'larger' : 'smaller',
        size: scanner.number(),
      };
    case 'NOT':
      scanner.space();
      return { kind: 'not', key: readKey(scanner, decode, depth + 1) };
    case 'OR': {
      scanner.space();
      const left = readKey(scanner, decode, depth + 1);
      scanner.space();
      return { kind: 'or', left, right: readKey(scanner, decode, depth + 1) };
    }
    case 'UID':
      scanner.space();
      return { kind: 'uid', set: parseSequenceSet(scanner.sequenceSetText()) };
    case 'MODSEQ': {
      // RFC 7162: MODSEQ [entry-name SP entry-type-req SP] mod-sequence-valzer
      scanner.space();
      if (scanner.isStringNext()) {
        scanner.string();
        scanner.space();
        scanner.atom();
        scanner.space();
      }
      return { kind: 'modseq', modseq: scanner.number() };
    }
    default:
      throw new ImapSyntaxError(`Unknown search key "${name}"`);
  }
}

/** search = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key) */
export function parseSearch(scanner: ArgumentScanner, uid: boolean): ImapCommand {
  scanner.space();
  let charset = 'UTF-8';
  if (scanner.tryKeyword('CHARSET')) {
    scanner.space();
    charset = scanner.astring().toString('latin1');
    scanner.space();
  }
  const decode = charsetDecoder(charset);
  const keys = [readKey(scanner, decode, 0)];
  while (scanner.trySpace()) keys.push(readKey(scanner, decode, 0));
  scanner.expectEnd();
  const key: SearchKey = keys.length === 1 ? keys[0] : { kind: 'and', keys };
  return { name: 'SEARCH', uid, charset, key };
}
