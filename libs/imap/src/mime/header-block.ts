/**
 * The header block of a MIME entity, located by byte offsets in the stored message so
 * that BODY[...HEADER] can hand back the stored bytes unchanged.
 */
export interface HeaderField {
  /** Lower-case field name. */
  readonly name: string;
  /** The whole field as stored: name, colon, value, folding, final line break. */
  readonly raw: Buffer;
  /** The value unfolded (line breaks before whitespace removed) and trimmed; raw bytes. */
  readonly value: Buffer;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Where the header ends (after the blank line) in `bytes[start, end)`: the offset of the
 * body. A header without a blank line takes the whole entity and leaves an empty body.
 */
export function findBodyStart(bytes: Buffer, start: number, end: number): number {
  if (start < end && bytes[start] === LF) return start + 1;
  if (start + 1 < end && bytes[start] === CR && bytes[start + 1] === LF) return start + 2;
  let at = start;
  for (;;) {
    const lf = bytes.indexOf(LF, at);
    if (lf === -1 || lf >= end) return end;
    // A blank line: LF LF or LF CR LF.
    if (lf + 1 < end && bytes[lf + 1] === LF) return lf + 2;
    if (lf + 2 < end && bytes[lf + 1] === CR && bytes[lf + 2] === LF) return lf + 3;
    at = lf + 1;
  }
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === CR || byte === LF;
}

/** Unfolds (drops the line breaks of folding) and trims; shares memory when nothing is folded. */
function unfold(value: Buffer): Buffer {
  let from = 0;
  let to = value.length;
  while (from < to && isBlank(value[from])) from++;
  while (to > from && isBlank(value[to - 1])) to--;
  const trimmed = value.subarray(from, to);
  if (trimmed.indexOf(LF) === -1 && trimmed.indexOf(CR) === -1) return trimmed;
  const out = Buffer.allocUnsafe(trimmed.length);
  let length = 0;
  for (const byte of trimmed) if (byte !== CR && byte !== LF) out[length++] = byte;
  return out.subarray(0, length);
}

/** At most this many fields are read per header, against header bombs. */
const MAX_FIELDS = 10_000;

/** Splits `bytes[start, end)` (a header block, blank line included or not) into fields. */
export function parseHeaderFields(bytes: Buffer, start: number, end: number): HeaderField[] {
  const fields: HeaderField[] = [];
  let fieldStart = -1;
  let at = start;
  const close = (fieldEnd: number): void => {
    if (fieldStart < 0) return;
    const raw = bytes.subarray(fieldStart, fieldEnd);
    const colon = raw.indexOf(0x3a);
    if (colon > 0 && fields.length < MAX_FIELDS) {
      const name = raw.toString('latin1', 0, colon).trimEnd().toLowerCase();
      if (name && !/\s/.test(name)) {
        fields.push({ name, raw, value: unfold(raw.subarray(colon + 1)) });
      }
    }
    fieldStart = -1;
  };
  while (at < end) {
    let lineEnd = bytes.indexOf(LF, at);
    lineEnd = lineEnd === -1 || lineEnd >= end ? end : lineEnd + 1;
    const first = bytes[at];
    const blank = first === LF || (first === CR && bytes[at + 1] === LF);
    if (blank) break;
    if (first === 0x20 || first === 0x09) {
      // Continuation of the current field (folded line).
      at = lineEnd;
      continue;
    }
    close(at);
    fieldStart = at;
    at = lineEnd;
  }
  close(at);
  return fields;
}

export function headerValue(fields: readonly HeaderField[], name: string): Buffer | undefined {
  return fields.find((field) => field.name === name)?.value;
}
