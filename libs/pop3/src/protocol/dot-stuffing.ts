const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const DOT_BYTE = Buffer.from('.');
const CRLF_BYTES = Buffer.from('\r\n');
const LF_BYTE = Buffer.from('\n');

/**
 * A message as a POP3 multi-line body (RFC 1939 3), without the final ".": lines that
 * start with "." get one more, bare LF line ends become CRLF, and a last line without
 * an end gets one. It yields slices of `message` between the spots that need a change,
 * so a message without dot lines or bare LFs goes out as one slice, never copied.
 */
export function* dotStuffed(message: Buffer): Generator<Buffer> {
  let runStart = 0;
  let lineStart = 0;
  while (lineStart < message.length) {
    if (message[lineStart] === DOT) {
      if (lineStart > runStart) yield message.subarray(runStart, lineStart);
      yield DOT_BYTE;
      runStart = lineStart;
    }
    const lf = message.indexOf(LF, lineStart);
    if (lf === -1) break;
    if (lf === 0 || message[lf - 1] !== CR) {
      if (lf > runStart) yield message.subarray(runStart, lf);
      yield CRLF_BYTES;
      runStart = lf + 1;
    }
    lineStart = lf + 1;
  }
  if (message.length > runStart) yield message.subarray(runStart);
  const last = message.length ? message[message.length - 1] : LF;
  if (last === CR) yield LF_BYTE;
  else if (last !== LF) yield CRLF_BYTES;
}

/** Where the body starts: just after the first empty line, or the end when there is none. */
function bodyStart(message: Buffer): number {
  if (message[0] === LF) return 1;
  if (message[0] === CR && message[1] === LF) return 2;
  const crlf = message.indexOf('\n\r\n');
  const lf = message.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return message.length;
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return crlf + 3;
  return lf + 2;
}

/** RFC 1939 TOP: the header, the empty line after it, and the first `bodyLines` lines. */
export function topOfMessage(message: Buffer, bodyLines: number): Buffer {
  let end = bodyStart(message);
  for (let line = 0; line < bodyLines && end < message.length; line++) {
    const lf = message.indexOf(LF, end);
    end = lf === -1 ? message.length : lf + 1;
  }
  return message.subarray(0, end);
}
