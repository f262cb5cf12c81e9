import { UnencodableTextError } from '../errors';
import { GSM7_BASIC, GSM7_ESCAPE, GSM7_EXTENSION, gsm7SeptetsOf } from './gsm7-alphabet';

/** Unpacked septet values (0..127) of a text; throws on a character outside GSM 03.38. */
export function encodeGsm7Septets(text: string): number[] {
  const out: number[] = [];
  let index = 0;
  for (const ch of text) {
    const septets = gsm7SeptetsOf(ch);
    if (!septets) throw new UnencodableTextError('GSM 7-bit', ch, index);
    out.push(...septets);
    index += ch.length;
  }
  return out;
}

/** True when every character of the text is in the GSM 03.38 basic or extension table. */
export function isGsm7Encodable(text: string): boolean {
  for (const ch of text) if (!gsm7SeptetsOf(ch)) return false;
  return true;
}

/**
 * Text of unpacked septets. An escape followed by a code the extension table does not
 * define shows the basic-table character of that code (TS 23.038 §6.2.1.1); a
 * trailing lone escape is dropped.
 */
export function decodeGsm7Septets(septets: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i] & 0x7f;
    if (s === GSM7_ESCAPE) {
      if (i + 1 >= septets.length) break;
      const code = septets[++i] & 0x7f;
      out += GSM7_EXTENSION.get(code) ?? (code === GSM7_ESCAPE ? ' ' : GSM7_BASIC[code]);
    } else {
      out += GSM7_BASIC[s];
    }
  }
  return out;
}

/**
 * Packs septets into octets, LSB first (TS 23.038 §6.1.2.1.1). `fillBits` (0..6) are
 * the zero bits left in front so that, after a UDH, the first septet starts on a
 * septet boundary of the whole user data (TS 23.040 §9.2.3.24).
 */
export function packSeptets(septets: ArrayLike<number>, fillBits = 0): Buffer {
  const totalBits = fillBits + septets.length * 7;
  const out = Buffer.alloc(Math.ceil(totalBits / 8));
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i] & 0x7f;
    const bit = fillBits + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] |= (s << shift) & 0xff;
    if (shift > 1) out[byte + 1] |= s >> (8 - shift);
  }
  return out;
}

/** Inverse of {@link packSeptets}: `count` septets starting after `fillBits` bits. */
export function unpackSeptets(packed: Buffer, count: number, fillBits = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const bit = fillBits + i * 7;
    const byte = bit >> 3;
    if (byte >= packed.length) break;
    const shift = bit & 7;
    const low = packed[byte] >> shift;
    const high = shift > 1 && byte + 1 < packed.length ? packed[byte + 1] << (8 - shift) : 0;
    out.push((low | high) & 0x7f);
  }
  return out;
}

/** Fill bits needed after a UDH of `udhBytes` octets (UDHL included). */
export function gsm7FillBits(udhBytes: number): number {
  return (7 - ((udhBytes * 8) % 7)) % 7;
}
