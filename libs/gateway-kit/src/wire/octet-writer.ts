import { FieldEncodeError } from '../errors';

/**
 * Builds a PDU body from big-endian integers and fixed-width octet strings, the two
 * field shapes CMPP, SGIP and SMGP use. Values that do not fit are an error rather
 * than being cut, because a silently truncated number or id is a wrong message.
 */
export class OctetWriter {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  u8(value: number, field = 'u8'): this {
    this.checkRange(value, 0xff, field);
    return this.push(Buffer.from([value]));
  }

  u16(value: number, field = 'u16'): this {
    this.checkRange(value, 0xffff, field);
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value);
    return this.push(b);
  }

  u32(value: number, field = 'u32'): this {
    this.checkRange(value, 0xffffffff, field);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    return this.push(b);
  }

  u64(value: bigint, field = 'u64'): this {
    if (value < 0n || value > 0xffffffffffffffffn) {
      throw new FieldEncodeError(field, `${value} is outside 0..2^64-1`);
    }
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(value);
    return this.push(b);
  }

  /** Fixed-width string, NUL-padded on the right, not NUL-terminated when full. */
  octetString(value: string | Buffer, width: number, field = 'string'): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
    if (typeof value === 'string' && [...value].some((ch) => ch.charCodeAt(0) > 0xff)) {
      throw new FieldEncodeError(
        field,
        `holds characters outside one byte: ${JSON.stringify(value)}`,
      );
    }
    if (bytes.length > width) {
      throw new FieldEncodeError(field, `${bytes.length} bytes do not fit in ${width}`);
    }
    const b = Buffer.alloc(width);
    bytes.copy(b);
    return this.push(b);
  }

  bytes(value: Buffer): this {
    return this.push(Buffer.from(value));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }

  private push(b: Buffer): this {
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }

  private checkRange(value: number, max: number, field: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new FieldEncodeError(field, `${value} is outside 0..${max}`);
    }
  }
}
