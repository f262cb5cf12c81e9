/**
 * Values of IMAP response data and how they go on the wire.
 *   null      -> NIL
 *   number    -> a number
 *   string    -> a string: quoted when it is short 7-bit text, otherwise a literal
 *   Buffer    -> the same for raw bytes (8-bit header bytes stay byte for byte)
 *   Atom      -> written as is (flags, keywords, item names)
 *   Literal   -> always a literal (message bodies)
 *   array     -> a parenthesized list, items separated by spaces
 *   Adjacent  -> items written with no space between them: RFC 3501 writes the parts of
 *                a multipart BODYSTRUCTURE and the addresses of an ENVELOPE list so
 *   Preserialized -> a value already in wire form, written as is (a cached ENVELOPE)
 */
export class Atom {
  constructor(readonly text: string) {}
}

export class Literal {
  constructor(readonly data: Buffer) {}
}

export class Adjacent {
  constructor(readonly items: readonly ImapValue[]) {}
}

/**
 * The wire form of a value, serialized once and reused (FETCH ENVELOPE of a message seen
 * before). Held as a latin1 string: it maps every byte to one character and back, so
 * literals with 8-bit bytes inside survive unchanged, and WireWriter appends it as text.
 */
export class Preserialized {
  private constructor(readonly latin1: string) {}

  static of(value: ImapValue): Preserialized {
    const out = new WireWriter();
    writeValue(value, out);
    return new Preserialized(out.toBuffer().toString('latin1'));
  }
}

export type ImapValue =
  | null
  | number
  | string
  | Buffer
  | Atom
  | Literal
  | Adjacent
  | Preserialized
  | readonly ImapValue[];

/** Longer strings go as literals: some clients cap quoted strings, and literals need no escaping. */
const MAX_QUOTED_LENGTH = 1024;

/** A quoted string may hold only 7-bit TEXT-CHARs (no NUL, CR, LF). */
function canQuote(bytes: Buffer): boolean {
  if (bytes.length > MAX_QUOTED_LENGTH) return false;
  for (const byte of bytes) {
    if (byte === 0 || byte === 0x0a || byte === 0x0d || byte >= 0x80) return false;
  }
  return true;
}

/**
 * Collects a response as text (one string, 7-bit) broken only by literal bytes, so a
 * FETCH line costs a couple of buffers instead of one per token.
 */
export class WireWriter {
  private readonly chunks: Buffer[] = [];
  private text = '';

  appendText(text: string): void {
    this.text += text;
  }

  appendLiteral(bytes: Buffer): void {
    this.text += `{${bytes.length}}\r\n`;
    this.chunks.push(Buffer.from(this.text, 'latin1'), bytes);
    this.text = '';
  }

  toBuffer(): Buffer {
    if (this.text) this.chunks.push(Buffer.from(this.text, 'latin1'));
    this.text = '';
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }
}

/** Appends the wire form of `value`. */
export function writeValue(value: ImapValue, out: WireWriter): void {
  if (value === null) {
    out.appendText('NIL');
  } else if (typeof value === 'number') {
    out.appendText(String(value));
  } else if (value instanceof Atom) {
    out.appendText(value.text);
  } else if (value instanceof Literal) {
    out.appendLiteral(value.data);
  } else if (value instanceof Preserialized) {
    out.appendText(value.latin1);
  } else if (value instanceof Adjacent) {
    for (const item of value.items) writeValue(item, out);
  } else if (Array.isArray(value)) {
    out.appendText('(');
    writeValues(value, out);
    out.appendText(')');
  } else {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value as string, 'utf8');
    if (canQuote(bytes)) out.appendText(`"${bytes.toString('latin1').replace(/["\\]/g, '\\$&')}"`);
    else out.appendLiteral(bytes);
  }
}

/** Space-separated values. */
export function writeValues(values: readonly ImapValue[], out: WireWriter): void {
  values.forEach((value, index) => {
    if (index > 0) out.appendText(' ');
    writeValue(value, out);
  });
}

export function serializeValues(values: readonly ImapValue[]): Buffer {
  const out = new WireWriter();
  writeValues(values, out);
  return out.toBuffer();
}
