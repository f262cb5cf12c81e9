import { GatewayError, PduDecodeError } from '../errors';

/**
 * What one packet of a byte stream turned out to be. A `bad-packet` was skipped (its
 * length was sound, so the stream is still in step); `fatal` means the framing is lost
 * and the connection must be closed.
 */
export type FrameEvent<P> =
  | { kind: 'pdu'; pdu: P; raw: Buffer }
  | { kind: 'bad-packet'; commandId: number; error: PduDecodeError; raw: Buffer }
  | { kind: 'fatal'; error: PduDecodeError };

export interface LengthPrefixedOptions<P> {
  protocol: string;
  /** Header bytes; the header starts with a u32 total length (header included) and a u32 command id. */
  headerLength: number;
  maxPacketLength: number;
  /** Decodes one whole packet; throws {@link PduDecodeError} (or any {@link GatewayError}) on bad content. */
  decode(raw: Buffer): P;
}

/**
 * Cuts a TCP byte stream into packets of the CMPP/SGIP/SMGP shape: big-endian u32
 * length first, command id next. Partial packets wait for more bytes; nothing here
 * throws, every problem comes out as an event.
 */
export class LengthPrefixedDecoder<P> {
  private buffer: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(private readonly options: LengthPrefixedOptions<P>) {}

  /** Bytes waiting for the rest of their packet. */
  get buffered(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): FrameEvent<P>[] {
    if (this.broken) return [];
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const { headerLength, maxPacketLength, protocol } = this.options;
    const events: FrameEvent<P>[] = [];
    while (this.buffer.length >= headerLength) {
      const length = this.buffer.readUInt32BE(0);
      const commandId = this.buffer.readUInt32BE(4);
      if (length < headerLength || length > maxPacketLength) {
        this.broken = true;
        this.buffer = Buffer.alloc(0);
        const message =
          `${protocol} packet length ${length} outside ${headerLength}..${maxPacketLength}` +
          ` (command 0x${commandId.toString(16).padStart(8, '0')})`;
        events.push({ kind: 'fatal', error: new PduDecodeError('bad-length', message) });
        break;
      }
      if (this.buffer.length < length) break;
      const raw = Buffer.from(this.buffer.subarray(0, length));
      this.buffer = this.buffer.subarray(length);
      events.push(this.decodeOne(commandId, raw));
    }
    return events;
  }

  private decodeOne(commandId: number, raw: Buffer): FrameEvent<P> {
    try {
      return { kind: 'pdu', pdu: this.options.decode(raw), raw };
    } catch (error) {
      const decodeError =
        error instanceof PduDecodeError
          ? error
          : new PduDecodeError(
              'bad-field',
              error instanceof GatewayError ? error.message : String(error),
            );
      return { kind: 'bad-packet', commandId, error: decodeError, raw };
    }
  }
}
