import { PduDecodeError } from '../errors';

/** Reads big-endian integers and fixed-width octet strings; running short is a typed error. */
export class OctetReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(field = 'u8'): number {
    return this.take(1, field).readUInt8(0);
  }

  u16(field = 'u16'): number {
    return this.take(2, field).readUInt16BE(0);
  }

  u32(field = 'u32'): number {
    return this.take(4, field).readUInt32BE(0);
  }

  u64(field = 'u64'): bigint {
    return this.take(8, field).readBigUInt64BE(0);
  }

  /** A NUL-padded string; everything from the first NUL on is padding. */
  octetString(width: number, field = 'string'): string {
    const raw = this.take(width, field);
    const end = raw.indexOf(0);
    return raw.subarray(0, end === -1 ? raw.length : end).toString('latin1');
  }

  bytes(length: number, field = 'bytes'): Buffer {
    return Buffer.from(this.take(length, field));
  }

  rest(): Buffer {
    return this.bytes(this.remaining, 'rest');
  }

  private take(length: number, field: string): Buffer {
    if (length < 0 || this.pos + length > this.buf.length) {
      throw new PduDecodeError(
        'truncated',
        `${field} needs ${length} bytes at offset ${this.pos}, only ${this.remaining} left`,
      );
    }
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
