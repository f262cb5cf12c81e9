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

export type ImapValue =
  null | number | string | Buffer | Atom | Literal | Adjacent | readonly ImapValue[];

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

function quote(bytes: Buffer): Buffer {
  let escapes = 0;
  for (const byte of bytes) if (byte === 0x22 || byte === 0x5c) escapes++;
  const out = Buffer.alloc(bytes.length + escapes + 2);
  let at = 0;
  out[at++] = 0x22;
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) out[at++] = 0x5c;
    out[at++] = byte;
  }
  out[at] = 0x22;
  return out;
}

function literal(bytes: Buffer, out: Buffer[]): void {
  out.push(Buffer.from(`{${bytes.length}}\r\n`, 'latin1'), bytes);
}

/** Appends the wire form of `value` to `out` (a list of chunks, so bodies are not copied). */
export function writeValue(value: ImapValue, out: Buffer[]): void {
  if (value === null) {
    out.push(Buffer.from('NIL'));
  } else if (typeof value === 'number') {
    out.push(Buffer.from(String(value)));
  } else if (value instanceof Atom) {
    out.push(Buffer.from(value.text, 'latin1'));
  } else if (value instanceof Literal) {
    literal(value.data, out);
  } else if (value instanceof Adjacent) {
    for (const item of value.items) writeValue(item, out);
  } else if (Array.isArray(value)) {
    out.push(Buffer.from('('));
    writeValues(value, out);
    out.push(Buffer.from(')'));
  } else {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value as string, 'utf8');
    if (canQuote(bytes)) out.push(quote(bytes));
    else literal(bytes, out);
  }
}

/** Space-separated values. */
export function writeValues(values: readonly ImapValue[], out: Buffer[]): void {
  values.forEach((value, index) => {
    if (index > 0) out.push(Buffer.from(' '));
    writeValue(value, out);
  });
}

export function serializeValues(values: readonly ImapValue[]): Buffer {
  const out: Buffer[] = [];
  writeValues(values, out);
  return Buffer.concat(out);
}
