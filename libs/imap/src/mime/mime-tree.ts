import { type ParameterizedValue, parameter, parseParameterizedValue } from './content-fields';
import { findBodyStart, type HeaderField, headerValue, parseHeaderFields } from './header-block';

/**
 * One MIME entity of a stored message, by byte offsets into the stored bytes. The
 * message is never re-composed: every FETCH answer is a slice of what was stored.
 */
export interface MimePart {
  readonly headerStart: number;
  /** Also where the body starts: the header block includes its blank line. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly fields: readonly HeaderField[];
  /** Content-Type, or the default for the context (text/plain, or message/rfc822 in a digest). */
  readonly contentType: ParameterizedValue;
  /** True when the entity had no Content-Type header (the default applies). */
  readonly defaultedType: boolean;
  /** Parts of a multipart entity, in order. */
  readonly children: readonly MimePart[];
  /** The message inside a message/rfc822 entity. */
  readonly message?: MimePart;
}

const LF = 0x0a;
const CR = 0x0d;

/** Deeper nesting is shown as opaque leaves: it bounds recursion on hostile messages. */
const MAX_DEPTH = 32;
/** More parts in one multipart are ignored, against messages built to exhaust memory. */
const MAX_CHILDREN = 5_000;

const TEXT_PLAIN: ParameterizedValue = {
  value: 'text/plain',
  parameters: [['charset', 'US-ASCII']],
};
const MESSAGE_RFC822: ParameterizedValue = { value: 'message/rfc822', parameters: [] };

function isBoundaryEnd(bytes: Buffer, at: number, end: number): boolean {
  if (at >= end) return true;
  const byte = bytes[at];
  return byte === CR || byte === LF || byte === 0x20 || byte === 0x09;
}

/** Splits a multipart body into the byte ranges of its parts (RFC 2046 5.1.1). */
function splitMultipart(
  bytes: Buffer,
  start: number,
  end: number,
  boundary: string,
): [number, number][] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const ranges: [number, number][] = [];
  let partStart = -1;
  let at = start;
  while (at < end && ranges.length < MAX_CHILDREN) {
    const found = bytes.indexOf(delimiter, at);
    if (found === -1 || found + delimiter.length > end) break;
    const atLineStart = found === start || bytes[found - 1] === LF;
    const after = found + delimiter.length;
    const closing = bytes[after] === 0x2d && bytes[after + 1] === 0x2d && after + 1 < end;
    if (!atLineStart || (!closing && !isBoundaryEnd(bytes, after, end))) {
      at = found + 1;
      continue;
    }
    if (partStart >= 0) {
      // The line break before a delimiter belongs to the delimiter.
      let partEnd = found;
      if (partEnd > partStart && bytes[partEnd - 1] === LF) partEnd--;
      if (partEnd > partStart && bytes[partEnd - 1] === CR) partEnd--;
      ranges.push([partStart, partEnd]);
    }
    if (closing) return ranges;
    const lineEnd = bytes.indexOf(LF, after);
    if (lineEnd === -1 || lineEnd >= end) return ranges;
    partStart = lineEnd + 1;
    at = partStart;
  }
  // No closing delimiter: the last part runs to the end.
  if (partStart >= 0 && ranges.length < MAX_CHILDREN) ranges.push([partStart, end]);
  return ranges;
}

function parseEntity(
  bytes: Buffer,
  start: number,
  end: number,
  defaultType: ParameterizedValue,
  depth: number,
): MimePart {
  const bodyStart = findBodyStart(bytes, start, end);
  const fields = parseHeaderFields(bytes, start, bodyStart);
  const typeHeader = headerValue(fields, 'content-type');
  let contentType = typeHeader
    ? parseParameterizedValue(typeHeader.toString('latin1'))
    : defaultType;
  // A Content-Type without a subtype is not valid: RFC 2045 5.2 says use text/plain.
  if (!/^[^/\s]+\/[^/\s]+$/.test(contentType.value)) contentType = TEXT_PLAIN;
  const base = {
    headerStart: start,
    bodyStart,
    bodyEnd: end,
    fields,
    contentType,
    defaultedType: !typeHeader,
  };
  if (depth >= MAX_DEPTH) return { ...base, children: [] };

  const [type, subtype] = contentType.value.split('/');
  const boundary = parameter(contentType, 'boundary');
  if (type === 'multipart' && !boundary) {
    // Without a boundary the parts cannot be found: show the body as plain text.
    return { ...base, contentType: TEXT_PLAIN, children: [] };
  }
  if (type === 'multipart' && boundary) {
    const childDefault = subtype === 'digest' ? MESSAGE_RFC822 : TEXT_PLAIN;
    const ranges = splitMultipart(bytes, bodyStart, end, boundary);
    // BODYSTRUCTURE needs at least one part; a multipart without any gets an empty one.
    if (ranges.length === 0) ranges.push([end, end]);
    const children = ranges.map(([from, to]) =>
      parseEntity(bytes, from, to, childDefault, depth + 1),
    );
    return { ...base, children };
  }
  if (contentType.value === 'message/rfc822' && isIdentityEncoding(fields)) {
    return {
      ...base,
      children: [],
      message: parseEntity(bytes, bodyStart, end, TEXT_PLAIN, depth + 1),
    };
  }
  return { ...base, children: [] };
}

/** A message/rfc822 body in base64 or quoted-printable cannot be parsed in place. */
function isIdentityEncoding(fields: readonly HeaderField[]): boolean {
  const encoding = headerValue(fields, 'content-transfer-encoding')
    ?.toString('latin1')
    .trim()
    .toLowerCase();
  return !encoding || encoding === '7bit' || encoding === '8bit' || encoding === 'binary';
}

/** Parses the structure of a whole stored message. */
export function parseMimeTree(message: Buffer): MimePart {
  return parseEntity(message, 0, message.length, TEXT_PLAIN, 0);
}

export function isMultipart(part: MimePart): boolean {
  return part.contentType.value.startsWith('multipart/') && part.children.length > 0;
}

/** Lines of a body as IMAP counts them: line breaks, plus a last unterminated line. */
export function countLines(bytes: Buffer, start: number, end: number): number {
  let lines = 0;
  let at = start;
  for (;;) {
    const lf = bytes.indexOf(LF, at);
    if (lf === -1 || lf >= end) break;
    lines++;
    at = lf + 1;
  }
  if (at < end) lines++;
  return lines;
}
