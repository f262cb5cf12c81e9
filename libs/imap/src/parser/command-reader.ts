/**
 * Frames the client's byte stream into whole commands: a command is a line, or a line
 * that ends in a literal announcement `{n}` / `{n+}` followed by n bytes and the rest
 * of the command. Memory stays bounded whatever the client sends: a line longer than
 * `maxLineLength` is skipped to its end instead of being kept, and a literal larger
 * than `maxLiteralSize` is refused from its announcement, before any of it is stored.
 */
export interface CommandReaderLimits {
  /** Bytes of command text (all lines of one command, literals excluded). */
  readonly maxLineLength: number;
  /** Bytes of one literal, and of all literals of one command together. */
  readonly maxLiteralSize: number;
}

export const DEFAULT_READER_LIMITS: CommandReaderLimits = {
  maxLineLength: 64 * 1024,
  maxLiteralSize: 64 * 1024 * 1024,
};

export type ReaderEvent =
  /** A whole command: lines joined with CRLF, literals inline after their `{n}` CRLF. */
  | { readonly type: 'command'; readonly bytes: Buffer }
  /** The client announced a synchronizing literal and waits for `+`. */
  | { readonly type: 'continue' }
  /** The command text passed the limit; it was skipped up to its end. */
  | { readonly type: 'line-too-long'; readonly tag: string | undefined }
  /**
   * A literal passed the limit. A synchronizing one was not sent yet (answer NO and
   * go on); a non-synchronizing one is on its way and cannot be refused politely, so
   * the reader stops and the session must close the connection.
   */
  | {
      readonly type: 'literal-too-large';
      readonly tag: string | undefined;
      readonly size: number;
      readonly synchronizing: boolean;
    };

const LF = 0x0a;
const CR = 0x0d;
const CRLF = Buffer.from('\r\n');
const LITERAL_ANNOUNCEMENT = /\{(\d{1,20})(\+?)\}$/;

type State =
  | { kind: 'line' }
  | { kind: 'skip-line' }
  | { kind: 'literal'; remaining: number }
  | { kind: 'stopped' };

export class CommandReader {
  private state: State = { kind: 'line' };
  /** Parts of the command being assembled (line segments, CRLFs, literal chunks). */
  private parts: Buffer[] = [];
  /** Bytes of the current line segment not yet ended by LF. */
  private pendingLine: Buffer[] = [];
  private pendingLineLength = 0;
  private commandTextLength = 0;
  private commandLiteralLength = 0;
  /** The tag of a line being skipped, read from its first bytes. */
  private skippedTag: string | undefined;

  constructor(private limits: CommandReaderLimits = DEFAULT_READER_LIMITS) {}

  /** Changes the limits for the commands still to come (e.g. larger literals after login). */
  setLimits(limits: CommandReaderLimits): void {
    this.limits = limits;
  }

  /** True after a non-synchronizing literal was refused: nothing more is framed. */
  get stopped(): boolean {
    return this.state.kind === 'stopped';
  }

  /** Feeds received bytes; returns the events they complete, in order. */
  push(chunk: Buffer): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const state = this.state;
      if (state.kind === 'stopped') break;
      if (state.kind === 'literal') {
        const take = Math.min(state.remaining, chunk.length - offset);
        this.parts.push(chunk.subarray(offset, offset + take));
        offset += take;
        state.remaining -= take;
        if (state.remaining === 0) this.state = { kind: 'line' };
        continue;
      }
      const lf = chunk.indexOf(LF, offset);
      const end = lf === -1 ? chunk.length : lf;
      if (state.kind === 'skip-line') {
        if (lf === -1) {
          offset = chunk.length;
          continue;
        }
        offset = lf + 1;
        events.push({ type: 'line-too-long', tag: this.skippedTag });
        this.resetCommand();
        this.state = { kind: 'line' };
        continue;
      }
      // Reading a line: keep bytes only while the command stays within its limit.
      const segment = chunk.subarray(offset, end);
      if (
        this.commandTextLength + this.pendingLineLength + segment.length >
        this.limits.maxLineLength
      ) {
        this.skippedTag = this.tagOf(
          Buffer.concat([...this.parts, ...this.pendingLine, segment.subarray(0, 64)]),
        );
        this.resetCommand();
        this.state = { kind: 'skip-line' };
        continue;
      }
      this.pendingLine.push(segment);
      this.pendingLineLength += segment.length;
      offset = end;
      if (lf === -1) continue;
      offset = lf + 1;
      const event = this.finishLine();
      if (event) events.push(event);
    }
    return events;
  }

  private finishLine(): ReaderEvent | undefined {
    let line = Buffer.concat(this.pendingLine, this.pendingLineLength);
    this.pendingLine = [];
    this.pendingLineLength = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    this.commandTextLength += line.length + CRLF.length;
    this.parts.push(line);

    const tail = line.toString('latin1', Math.max(0, line.length - 24));
    const announced = LITERAL_ANNOUNCEMENT.exec(tail);
    if (!announced) {
      const bytes = Buffer.concat(this.parts);
      this.resetCommand();
      return { type: 'command', bytes };
    }
    const size = Number(announced[1]);
    const synchronizing = announced[2] !== '+';
    if (
      !Number.isSafeInteger(size) ||
      size > this.limits.maxLiteralSize ||
      this.commandLiteralLength + size > this.limits.maxLiteralSize
    ) {
      const tag = this.tagOf(Buffer.concat(this.parts));
      this.resetCommand();
      if (!synchronizing) this.state = { kind: 'stopped' };
      return { type: 'literal-too-large', tag, size, synchronizing };
    }
    this.commandLiteralLength += size;
    this.parts.push(CRLF);
    if (size > 0) this.state = { kind: 'literal', remaining: size };
    return synchronizing ? { type: 'continue' } : undefined;
  }

  private resetCommand(): void {
    this.parts = [];
    this.pendingLine = [];
    this.pendingLineLength = 0;
    this.commandTextLength = 0;
    this.commandLiteralLength = 0;
  }

  /** The tag that starts a command, when it looks like one (for the tagged error). */
  private tagOf(bytes: Buffer): string | undefined {
    const head = bytes.toString('latin1', 0, Math.min(bytes.length, 64));
    const match = /^([!#$&'+,\-./0-9:;<=>?@A-Z[^_`a-z|~]+) /.exec(head);
    return match ? match[1] : undefined;
  }
}
