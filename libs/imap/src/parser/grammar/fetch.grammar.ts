import type { ArgumentScanner } from '../argument-scanner';
import type {
  BodySection,
  FetchAttribute,
  FetchModifiers,
  ImapCommand,
  PartialRange,
} from '../command-types';
import { parseSequenceSet } from '../sequence-set';
import { ImapSyntaxError } from '../syntax-error';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const DOT = 0x2e;

type SimpleKind = Exclude<FetchAttribute, { kind: 'BODY[]' }>['kind'];

const SIMPLE_ATTRIBUTES: readonly SimpleKind[] = [
  'UID',
  'FLAGS',
  'INTERNALDATE',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
  'RFC822.SIZE',
  'MODSEQ',
];

const MACROS: Record<string, readonly SimpleKind[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

/** header-list = "(" header-fld-name *(SP header-fld-name) ")" */
function readHeaderList(scanner: ArgumentScanner): string[] {
  scanner.openList();
  const names = [scanner.astring().toString('latin1')];
  while (!scanner.tryCloseList()) {
    scanner.space();
    names.push(scanner.astring().toString('latin1'));
  }
  return names;
}

/** section = "[" [section-spec] "]", the `[` already consumed. */
export function readSection(scanner: ArgumentScanner): BodySection {
  const path: number[] = [];
  if (scanner.tryByte(CLOSE_BRACKET)) return { path };
  for (;;) {
    const next = scanner.peek();
    if (next !== undefined && next >= 0x30 && next <= 0x39) {
      path.push(scanner.nzNumber());
      if (path.length > 64) throw new ImapSyntaxError('Section path too deep');
      if (scanner.tryByte(DOT)) continue;
      scanner.expectByte(CLOSE_BRACKET, ']');
      return { path };
    }
    break;
  }
  const name = scanner.atom().toUpperCase();
  let section: BodySection;
  switch (name) {
    case 'HEADER':
    case 'TEXT':
      section = { path, specifier: name };
      break;
    case 'MIME':
      if (path.length === 0) throw new ImapSyntaxError('MIME needs a part number');
      section = { path, specifier: name };
      break;
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT':
      scanner.space();
      section = { path, specifier: name, fields: readHeaderList(scanner) };
      break;
    default:
      throw new ImapSyntaxError(`Invalid section "${name}"`);
  }
  scanner.expectByte(CLOSE_BRACKET, ']');
  return section;
}

/** partial = "<" number "." nz-number ">" */
function readPartial(scanner: ArgumentScanner): PartialRange | undefined {
  if (!scanner.tryByte(LESS_THAN)) return undefined;
  const offset = scanner.number();
  scanner.expectByte(DOT, '.');
  const length = scanner.nzNumber();
  scanner.expectByte(GREATER_THAN, '>');
  return { offset, length };
}

function readAttribute(scanner: ArgumentScanner): FetchAttribute {
  const name = scanner.atomExcept([OPEN_BRACKET, LESS_THAN]).toUpperCase();
  if ((name === 'BODY' || name === 'BODY.PEEK') && scanner.tryByte(OPEN_BRACKET)) {
    const section = readSection(scanner);
    const partial = readPartial(scanner);
    return { kind: 'BODY[]', peek: name === 'BODY.PEEK', section, ...(partial && { partial }) };
  }
  const simple = SIMPLE_ATTRIBUTES.find((kind) => kind === name);
  if (simple) return { kind: simple };
  throw new ImapSyntaxError(`Unknown FETCH attribute "${name}"`);
}

function readModifiers(scanner: ArgumentScanner): FetchModifiers {
  const modifiers: { changedSince?: number; vanished?: boolean } = {};
  scanner.openList();
  for (;;) {
    const name = scanner.atom().toUpperCase();
    if (name === 'CHANGEDSINCE') {
      scanner.space();
      modifiers.changedSince = scanner.number();
    } else if (name === 'VANISHED') {
      modifiers.vanished = true;
    } else {
      throw new ImapSyntaxError(`Unknown FETCH modifier "${name}"`);
    }
    if (scanner.tryCloseList()) break;
    scanner.space();
  }
  if (modifiers.vanished && modifiers.changedSince === undefined) {
    throw new ImapSyntaxError('VANISHED needs CHANGEDSINCE');
  }
  return modifiers;
}

/** fetch = "FETCH" SP sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")") */
export function parseFetch(scanner: ArgumentScanner, uid: boolean): ImapCommand {
  scanner.space();
  const set = parseSequenceSet(scanner.sequenceSetText());
  scanner.space();
  const attributes: FetchAttribute[] = [];
  if (scanner.tryOpenList()) {
    attributes.push(readAttribute(scanner));
    while (!scanner.tryCloseList()) {
      scanner.space();
      attributes.push(readAttribute(scanner));
    }
  } else {
    const macro = Object.keys(MACROS).find((name) => scanner.tryKeyword(name));
    if (macro) attributes.push(...MACROS[macro].map((kind) => ({ kind })));
    else attributes.push(readAttribute(scanner));
  }
  const modifiers = scanner.trySpace() ? readModifiers(scanner) : {};
  scanner.expectEnd();
  // UID FETCH always reports UIDs (RFC 3501 6.4.8).
  if (uid && !attributes.some((a) => a.kind === 'UID')) attributes.unshift({ kind: 'UID' });
  return { name: 'FETCH', uid, set, attributes, modifiers };
}
