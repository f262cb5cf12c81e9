import { GatewayError, PduDecodeError } from '@dizi/gateway-kit';
import { CMPP_HEADER_LENGTH, CMPP_MAX_PACKET_LENGTH, type CmppVersion } from './cmpp-constants';
import { readCmppHeader } from './cmpp-header';
import { decodeCmppBody, type CmppPdu } from './cmpp-pdu';

/**
 * What one packet of the byte stream turned out to be. A `bad-packet` was skipped
 * (its length was sound, so the stream is still in step); a `fatal` error means the
 * framing itself is lost and the connection must be closed.
 */
export type CmppFrameEvent =
  | { kind: 'pdu'; pdu: CmppPdu; raw: Buffer }
  | {
      kind: 'bad-packet';
      commandId: number;
      sequenceId: number;
      error: PduDecodeError;
      raw: Buffer;
    }
  | { kind: 'fatal'; error: PduDecodeError };

/**
 * Cuts a TCP byte stream into CMPP packets. Partial packets wait for more bytes;
 * nothing here throws, every problem comes out as an event.
 */
export class CmppFrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(
    private version: CmppVersion,
    private readonly maxPacketLength = CMPP_MAX_PACKET_LENGTH,
  ) {}

  /** The version whose layouts bodies are decoded with (set once CONNECT_RESP told it). */
  setVersion(version: CmppVersion): void {
    this.version = version;
  }

  /** Bytes waiting for the rest of their packet. */
  get buffered(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): CmppFrameEvent[] {
    if (this.broken) return [];
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const events: CmppFrameEvent[] = [];
    while (this.buffer.length >= CMPP_HEADER_LENGTH) {
      const header = readCmppHeader(this.buffer);
      if (header.totalLength < CMPP_HEADER_LENGTH || header.totalLength > this.maxPacketLength) {
        this.broken = true;
        this.buffer = Buffer.alloc(0);
        events.push({
          kind: 'fatal',
          error: new PduDecodeError(
            'bad-length',
            `Total_Length ${header.totalLength} outside ${CMPP_HEADER_LENGTH}..${this.maxPacketLength}` +
              ` (Command_Id 0x${header.commandId.toString(16)}, Sequence_Id ${header.sequenceId})`,
          ),
        });
        break;
      }
      if (this.buffer.length < header.totalLength) break;
      const raw = this.buffer.subarray(0, header.totalLength);
      this.buffer = this.buffer.subarray(header.totalLength);
      events.push(this.decodeOne(header.commandId, header.sequenceId, Buffer.from(raw)));
    }
    return events;
  }

  private decodeOne(commandId: number, sequenceId: number, raw: Buffer): CmppFrameEvent {
    try {
      const pdu = decodeCmppBody(
        commandId,
        sequenceId,
        raw.subarray(CMPP_HEADER_LENGTH),
        this.version,
      );
      return { kind: 'pdu', pdu, raw };
    } catch (error) {
      const decodeError =
        error instanceof PduDecodeError
          ? error
          : new PduDecodeError(
              'bad-field',
              error instanceof GatewayError ? error.message : String(error),
            );
      return { kind: 'bad-packet', commandId, sequenceId, error: decodeError, raw };
    }
  }
}
