import {
  FieldEncodeError,
  OctetReader,
  PduDecodeError,
  decodeGsm7Septets,
  encodeGsm7Septets,
  packSeptets,
  unpackSeptets,
} from '@dizi/gateway-kit';

/** Semi-octet digits of TS 23.040 §9.1.2.3 (BCD with '*', '#', 'a'-'c'; 0xF pads). */
const BCD_DIGITS = '0123456789*#abc';

/** Type-of-address octets (TS 23.040 §9.1.2.5): extension bit, TON, NPI = ISDN/E.164. */
export const TOA_INTERNATIONAL = 0x91;
export const TOA_UNKNOWN = 0x81;
export const TOA_NATIONAL = 0xa1;
export const TOA_ALPHANUMERIC = 0xd0;

/** Swapped semi-octets of a digit string, padded with F to a whole octet. */
export function encodeSemiOctets(digits: string, field = 'digits'): Buffer {
  const out = Buffer.alloc(Math.ceil(digits.length / 2), 0xff);
  for (let i = 0; i < digits.length; i++) {
    const value = BCD_DIGITS.indexOf(digits[i].toLowerCase());
    if (value < 0) throw new FieldEncodeError(field, `"${digits[i]}" is not a semi-octet digit`);
    const byte = i >> 1;
    out[byte] = i % 2 === 0 ? (out[byte] & 0xf0) | value : (out[byte] & 0x0f) | (value << 4);
  }
  return out;
}

/** Reads `count` semi-octet digits; an F filler ends the string, other bad nibbles are errors. */
export function decodeSemiOctets(bytes: Buffer, count: number, field = 'digits'): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const byte = bytes[i >> 1];
    if (byte === undefined) throw new PduDecodeError('truncated', `${field}: digit ${i} missing`);
    const nibble = i % 2 === 0 ? byte & 0x0f : byte >> 4;
    if (nibble === 0x0f) break;
    out += BCD_DIGITS[nibble];
  }
  return out;
}

/** An address as carried in a TPDU: its text (with '+' when international) and TOA octet. */
export interface SmsAddress {
  /** "+34616585119", "8613800138000", or an alphanumeric sender such as "FONIC". */
  address: string;
  toa: number;
  /** TON bits 4-6: 1 international, 2 national, 5 alphanumeric, 0 unknown… */
  typeOfNumber: number;
}

export interface AddressOptions {
  /** For numbers without '+': TOA 0xA1 (national) instead of 0x81 (unknown). */
  national?: boolean;
}

/**
 * TP-DA/TP-OA/TP-RA (TS 23.040 §9.1.2.5): digit count, TOA, swapped BCD. A leading '+'
 * makes it international (0x91); other numbers are "unknown" (0x81) or national (0xA1).
 */
export function encodeAddress(number: string, options: AddressOptions = {}): Buffer {
  const trimmed = number.trim();
  if (!/^\+?\d{1,20}$/.test(trimmed)) {
    throw new FieldEncodeError('address', `"${number}" is not 1-20 digits with an optional "+"`);
  }
  const international = trimmed.startsWith('+');
  const digits = trimmed.replace(/^\+/, '');
  const toa = international ? TOA_INTERNATIONAL : options.national ? TOA_NATIONAL : TOA_UNKNOWN;
  return Buffer.concat([Buffer.from([digits.length, toa]), encodeSemiOctets(digits, 'address')]);
}

/** An alphanumeric address (TON 101): GSM 7-bit packed, length in semi-octets. */
export function encodeAlphanumericAddress(text: string): Buffer {
  const septets = encodeGsm7Septets(text);
  if (septets.length > 11) {
    throw new FieldEncodeError('address', `alphanumeric "${text}" is longer than 11 septets`);
  }
  const packed = packSeptets(septets);
  const semiOctets = Math.ceil((septets.length * 7) / 4);
  return Buffer.concat([Buffer.from([semiOctets, TOA_ALPHANUMERIC]), packed]);
}

/** Reads an address field; alphanumeric senders are unpacked from GSM 7-bit. */
export function readAddress(reader: OctetReader, field: string): SmsAddress {
  const length = reader.u8(`${field} length`);
  const toa = reader.u8(`${field} type`);
  if (length > 20) {
    throw new PduDecodeError('bad-field', `${field}: ${length} semi-octets, at most 20`);
  }
  const bytes = reader.bytes(Math.ceil(length / 2), field);
  const typeOfNumber = (toa >> 4) & 0x07;
  if (typeOfNumber === 5) {
    const septets = Math.floor((length * 4) / 7);
    const text = decodeGsm7Septets(unpackSeptets(bytes, septets));
    return { address: text, toa, typeOfNumber };
  }
  const digits = decodeSemiOctets(bytes, length, field);
  return { address: typeOfNumber === 1 ? `+${digits}` : digits, toa, typeOfNumber };
}

/**
 * The service centre address in front of a PDU (27.005 §3.1: length in octets,
 * including the TOA). Empty (a single 00) means "use the one stored in the modem".
 */
export function encodeSca(smsc: string | undefined): Buffer {
  if (!smsc) return Buffer.from([0]);
  const address = encodeAddress(smsc);
  const body = address.subarray(1);
  return Buffer.concat([Buffer.from([body.length]), body]);
}

export function readSca(reader: OctetReader): string | undefined {
  const length = reader.u8('SCA length');
  if (length === 0) return undefined;
  if (length > 12) throw new PduDecodeError('bad-field', `SCA length ${length}, at most 12`);
  const toa = reader.u8('SCA type');
  const bytes = reader.bytes(length - 1, 'SCA');
  const digits = decodeSemiOctets(bytes, (length - 1) * 2, 'SCA');
  return ((toa >> 4) & 0x07) === 1 ? `+${digits}` : digits;
}
