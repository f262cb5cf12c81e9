import { ImapSyntaxError } from './syntax-error';

/** Parser limits that guard memory and stack against hostile input. */
export const DEFAULT_MAX_LIST_DEPTH = 16;

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CR = 0x0d;
const LF = 0x0a;

/**
 * RFC 3501 ATOM-CHAR: any CHAR except atom-specials `( ) { SP CTL % * " \ ]`.
 * `]` is allowed in an astring (ASTRING-CHAR) but not in an atom.
 */
export function isAtomChar(byte: number): boolean {
  if (byte <= 0x1f || byte >= 0x7f) return false;
  switch (byte) {
    case OPEN_PAREN:
    case CLOSE_PAREN:
    case OPEN_BRACE:
    case SP:
    case 0x25: // %
    case 0x2a: // *
    case DQUOTE:
    case BACKSLASH:
    case 0x5d: // ]
      return false;
    default:
      return true;
  }
}

function isAstringChar(byte: number): boolean {
  return isAtomChar(byte) || byte === 0x5d;
}

/** list-char = ATOM-CHAR / list-wildcards (`%` `*`) / resp-specials (`]`). */
function isListChar(byte: number): boolean {
  return isAstringChar(byte) || byte === 0x25 || byte === 0x2a;
}

/**
 * Reads the arguments of one assembled command (the line and its literals, as framed
 * by `CommandReader`). Each command's grammar in `parser/commands/` drives it; the
 * scanner only knows the RFC 3501 lexical forms. Literals arrive inline as
 * `{n}` CRLF followed by n raw bytes.
 */
export class ArgumentScanner {
  private depth = 0;

  constructor(
    private readonly input: Buffer,
    private position = 0,
    private readonly maxListDepth = DEFAULT_MAX_LIST_DEPTH,
  ) {}

  get offset(): number {
    return this.position;
  }

  atEnd(): boolean {
    return this.position >= this.input.length;
  }

  peek(): number | undefined {
    return this.position < this.input.length ? this.input[this.position] : undefined;
  }

  /** True when the next byte is `byte` (not consumed). */
  peekIs(byte: number): boolean {
    return this.peek() === byte;
  }

  expectEnd(): void {
    if (!this.atEnd()) throw new ImapSyntaxError('Unexpected characters at end of command');
  }

  space(): void {
    if (this.peek() !== SP) throw new ImapSyntaxError('Expected a space');
    this.position++;
  }

  trySpace(): boolean {
    if (this.peek() !== SP) return false;
    this.position++;
    return true;
  }

  /** Consumes `byte` or throws. */
  expectByte(byte: number, what: string): void {
    if (this.peek() !== byte) throw new ImapSyntaxError(`Expected ${what}`);
    this.position++;
  }

  tryByte(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.position++;
    return true;
  }

  openList(): void {
    this.expectByte(OPEN_PAREN, '(');
    this.enterList();
  }

  tryOpenList(): boolean {
    if (this.peek() !== OPEN_PAREN) return false;
    this.position++;
    this.enterList();
    return true;
  }

  /** True (and consumed) when the list closes here. */
  tryCloseList(): boolean {
    if (this.peek() !== CLOSE_PAREN) return false;
    this.position++;
    this.depth--;
    return true;
  }

  closeList(): void {
    if (!this.tryCloseList()) throw new ImapSyntaxError('Expected )');
  }

  private enterList(): void {
    this.depth++;
    if (this.depth > this.maxListDepth) throw new ImapSyntaxError('Too deeply nested lists');
  }

  /** Reads a run of bytes accepted by `accept`; at least one. */
  private run(accept: (byte: number) => boolean, what: string): string {
    const start = this.position;
    while (this.position < this.input.length && accept(this.input[this.position])) {
      this.position++;
    }
    if (this.position === start) throw new ImapSyntaxError(`Expected ${what}`);
    return this.input.toString('latin1', start, this.position);
  }

  atom(): string {
    return this.run(isAtomChar, 'an atom');
  }

  /** An atom that may stop before `[` (FETCH `BODY[`) or other bytes the caller excludes. */
  atomExcept(excluded: readonly number[]): string {
    return this.run((b) => isAtomChar(b) && !excluded.includes(b), 'an atom');
  }

  /** Consumes a case-insensitive keyword when it is next and followed by a non-atom char. */
  tryKeyword(keyword: string): boolean {
    const end = this.position + keyword.length;
    if (end > this.input.length) return false;
    if (this.input.toString('latin1', this.position, end).toUpperCase() !== keyword) return false;
    if (end < this.input.length && isAtomChar(this.input[end])) return false;
    this.position = end;
    return true;
  }

  /** number = 1*DIGIT, up to 2^63-1 (RFC 7162 mod-sequence-value); a JS number stays exact to 2^53. */
  number(): number {
    const digits = this.run((b) => b >= 0x30 && b <= 0x39, 'a number');
    if (digits.length > 16) throw new ImapSyntaxError('Number too large');
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) throw new ImapSyntaxError('Number too large');
    return value;
  }

  nzNumber(): number {
    const value = this.number();
    if (value === 0) throw new ImapSyntaxError('Expected a non-zero number');
    return value;
  }

  /** quoted = DQUOTE *QUOTED-CHAR DQUOTE; only `"` and `\` may be escaped. */
  quoted(): Buffer {
    this.expectByte(DQUOTE, 'a quoted string');
    const bytes: number[] = [];
    for (;;) {
      const byte = this.peek();
      if (byte === undefined || byte === CR || byte === LF) {
        throw new ImapSyntaxError('Unterminated quoted string');
      }
      this.position++;
      if (byte === DQUOTE) return Buffer.from(bytes);
      if (byte === BACKSLASH) {
        const escaped = this.peek();
        if (escaped !== DQUOTE && escaped !== BACKSLASH) {
          throw new ImapSyntaxError('Invalid escape in quoted string');
        }
        this.position++;
        bytes.push(escaped);
        continue;
      }
      bytes.push(byte);
    }
  }

  /**
   * literal = "{" number ["+"] "}" CRLF *CHAR8. The reader already received exactly
   * the announced bytes, so here the count only has to match what is there.
   */
  literal(): Buffer {
    this.expectByte(OPEN_BRACE, 'a literal');
    const size = this.number();
    this.tryByte(0x2b); // "+": LITERAL+ non-synchronizing form
    this.expectByte(CLOSE_BRACE, '}');
    this.expectByte(CR, 'CRLF after literal size');
    this.expectByte(LF, 'CRLF after literal size');
    const end = this.position + size;
    if (end > this.input.length) throw new ImapSyntaxError('Literal shorter than announced');
    const data = this.input.subarray(this.position, end);
    this.position = end;
    return data;
  }

  isStringNext(): boolean {
    const byte = this.peek();
    return byte === DQUOTE || byte === OPEN_BRACE;
  }

  string(): Buffer {
    return this.peek() === DQUOTE ? this.quoted() : this.literal();
  }

  astring(): Buffer {
    if (this.isStringNext()) return this.string();
    return Buffer.from(this.run(isAstringChar, 'an astring'), 'latin1');
  }

  /** An astring read as text; mailbox names and user names are ASCII or UTF-8. */
  astringText(): string {
    return this.astring().toString('utf8');
  }

  nstring(): Buffer | null {
    if (this.tryKeyword('NIL')) return null;
    return this.string();
  }

  /** list-mailbox = 1*list-char / string (LIST pattern, may hold `%` and `*`). */
  listMailbox(): string {
    if (this.isStringNext()) return this.string().toString('utf8');
    return this.run(isListChar, 'a mailbox pattern');
  }

  /** Characters of a sequence-set; validated by `parseSequenceSet`. */
  sequenceSetText(): string {
    return this.run(
      (b) => (b >= 0x30 && b <= 0x39) || b === 0x2a || b === 0x3a || b === 0x2c,
      'a sequence set',
    );
  }

  /** Everything left, for arguments that are a raw token such as a SASL response. */
  rest(): Buffer {
    const data = this.input.subarray(this.position);
    this.position = this.input.length;
    return data;
  }
}
