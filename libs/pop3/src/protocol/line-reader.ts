/** A complete command line (without its CRLF), or notice that a line was too long. */
export type LineEvent =
  { readonly type: 'line'; readonly bytes: Buffer } | { readonly type: 'too-long' };

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Frames the client's input into lines. Pull-based: the session takes one line at a
 * time, so pipelined input stays as raw bytes until it is needed. A line longer than
 * the limit (RFC 2449: 255 octets with the CRLF) is reported once and its bytes are
 * dropped up to the next LF, so a client that never sends LF costs at most the limit.
 * A bare LF also ends a line: some clients send one, and it cannot be misread.
 */
export class LineReader {
  private pending: Buffer = EMPTY;
  private discarding = false;

  /** Bytes received and not yet taken as lines. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  push(chunk: Buffer): void {
    if (this.discarding) {
      const lf = chunk.indexOf(LF);
      if (lf === -1) return;
      this.discarding = false;
      chunk = chunk.subarray(lf + 1);
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
  }

  /** The next line, when a whole one arrived; `maxLength` counts the CRLF. */
  next(maxLength: number): LineEvent | undefined {
    const lf = this.pending.indexOf(LF);
    if (lf === -1) {
      if (this.pending.length < maxLength) return undefined;
      // No line end within the limit: report it now and drop the rest as it comes.
      this.pending = EMPTY;
      this.discarding = true;
      return { type: 'too-long' };
    }
    const line = this.pending.subarray(0, lf);
    this.pending = this.pending.subarray(lf + 1);
    // Counted as if it had ended in CRLF, whether or not the client sent the CR.
    const content = line.length && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
    if (content.length + 2 > maxLength) return { type: 'too-long' };
    return { type: 'line', bytes: content };
  }

  /** Forgets buffered input (what was pipelined in the clear after STLS). */
  clear(): void {
    this.pending = EMPTY;
    this.discarding = false;
  }
}
