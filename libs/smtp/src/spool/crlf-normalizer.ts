/**
 * Turns bare LF line ends into CRLF across chunk boundaries, so every stored message has
 * the CRLF lines IMAP and POP3 must serve (RFC 3501 2.2, RFC 1939). Bare CR is kept.
 */
export class CrlfNormalizer {
  /** Whether the previous chunk ended with CR (its LF may start this chunk). */
  private prevEndedCr = false;

  push(chunk: Buffer): Buffer {
    if (!chunk.length) return chunk;
    const bareLf: number[] = [];
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) {
      const crBefore = i === 0 ? this.prevEndedCr : chunk[i - 1] === 0x0d;
      if (!crBefore) bareLf.push(i);
    }
    this.prevEndedCr = chunk[chunk.length - 1] === 0x0d;
    if (!bareLf.length) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + bareLf.length);
    let o = 0;
    let start = 0;
    for (const i of bareLf) {
      o += chunk.copy(out, o, start, i);
      out[o++] = 0x0d;
      start = i;
    }
    chunk.copy(out, o, start);
    return out;
  }
}
