import { FieldEncodeError } from '../errors';
import { encodeGsm7Septets, gsm7FillBits, packSeptets } from './gsm7-codec';
import { chooseEncoding, encodeOctets, type TextEncoding } from './text-encoding';
import { concatUdh } from './udh';

/** User data of one SMS: 140 octets (TS 23.040 TP-UDL limit; CMPP Msg_Length ≤ 140). */
export const MAX_USER_DATA_OCTETS = 140;
const MAX_SEGMENTS = 255;

export interface SegmentOptions {
  /** Encodings the link can send, most preferred first (e.g. CMPP: ascii, ucs2). */
  encodings: readonly TextEncoding[];
  /** Concatenation reference shared by the segments (masked to `referenceBits`). */
  reference: number;
  referenceBits?: 8 | 16;
}

export interface Segment {
  /** 1-based position and count, as in the UDH and CMPP Pk_number / Pk_total. */
  seq: number;
  total: number;
  /** The concatenation header, or null for a single-segment message. */
  udh: Buffer | null;
  /** Encoded text of this segment, without the UDH (packed septets for gsm7). */
  payload: Buffer;
  /** UDH ‖ payload: what goes into Msg_Content / short_message. */
  userData: Buffer;
  /** For gsm7: the user data length in septets (UDH counted in whole septets); else octets. */
  userDataLength: number;
  /** The part of the original text this segment carries. */
  text: string;
}

export interface SegmentedMessage {
  encoding: TextEncoding;
  reference: number;
  referenceBits: 8 | 16;
  segments: Segment[];
}

interface Unit {
  text: string;
  cost: number;
}

/**
 * Splits a text into SMS segments in the first allowed encoding that can carry it.
 * Segments break only between whole characters: a GSM extension character (escape +
 * code) and a UTF-16 surrogate pair always stay in one segment.
 */
export function segmentText(text: string, options: SegmentOptions): SegmentedMessage {
  const encoding = chooseEncoding(text, options.encodings);
  const referenceBits = options.referenceBits ?? 8;
  const units = [...text].map((ch) => ({ text: ch, cost: unitCost(ch, encoding) }));
  const totalCost = units.reduce((n, u) => n + u.cost, 0);
  const single = capacity(encoding, 0);
  const udhLength = referenceBits === 8 ? 6 : 7;
  const groups = totalCost <= single ? [units] : split(units, capacity(encoding, udhLength));
  if (groups.length > MAX_SEGMENTS) {
    throw new FieldEncodeError('text', `needs ${groups.length} segments, at most ${MAX_SEGMENTS}`);
  }
  const reference = options.reference & (referenceBits === 8 ? 0xff : 0xffff);
  const segments = groups.map((group, i) => {
    const part = group.map((u) => u.text).join('');
    const udh =
      groups.length === 1
        ? null
        : concatUdh({ reference, referenceBits, total: groups.length, seq: i + 1 });
    return buildSegment(part, encoding, udh, i + 1, groups.length);
  });
  return { encoding, reference, referenceBits, segments };
}

/** Splits binary data (8-bit) into segments of 140 octets, or 134/133 with a UDH. */
export function segmentBinary(
  data: Buffer,
  options: Omit<SegmentOptions, 'encodings'>,
): SegmentedMessage {
  const referenceBits = options.referenceBits ?? 8;
  const reference = options.reference & (referenceBits === 8 ? 0xff : 0xffff);
  const chunks: Buffer[] = [];
  if (data.length <= MAX_USER_DATA_OCTETS) chunks.push(data);
  else {
    const size = MAX_USER_DATA_OCTETS - (referenceBits === 8 ? 6 : 7);
    for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  }
  if (chunks.length > MAX_SEGMENTS) {
    throw new FieldEncodeError('data', `needs ${chunks.length} segments, at most ${MAX_SEGMENTS}`);
  }
  const segments = chunks.map((payload, i) => {
    const udh =
      chunks.length === 1
        ? null
        : concatUdh({ reference, referenceBits, total: chunks.length, seq: i + 1 });
    const userData = udh ? Buffer.concat([udh, payload]) : Buffer.from(payload);
    return {
      seq: i + 1,
      total: chunks.length,
      udh,
      payload: Buffer.from(payload),
      userData,
      userDataLength: userData.length,
      text: '',
    };
  });
  return { encoding: 'binary', reference, referenceBits, segments };
}

function unitCost(ch: string, encoding: TextEncoding): number {
  switch (encoding) {
    case 'gsm7':
      return encodeGsm7Septets(ch).length;
    case 'ucs2':
      return ch.length * 2;
    case 'gbk':
      return encodeOctets(ch, 'gbk').length;
    default:
      return 1;
  }
}

/** Payload room of one segment in the encoding's unit (septets for gsm7, else octets). */
function capacity(encoding: TextEncoding, udhLength: number): number {
  const octets = MAX_USER_DATA_OCTETS - udhLength;
  if (encoding === 'gsm7') return Math.floor((octets * 8 - gsm7FillBits(udhLength)) / 7);
  if (encoding === 'ucs2') return octets - (octets % 2);
  return octets;
}

function split(units: Unit[], room: number): Unit[][] {
  const groups: Unit[][] = [];
  let current: Unit[] = [];
  let used = 0;
  for (const unit of units) {
    if (used + unit.cost > room) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(unit);
    used += unit.cost;
  }
  if (current.length) groups.push(current);
  return groups;
}

function buildSegment(
  text: string,
  encoding: TextEncoding,
  udh: Buffer | null,
  seq: number,
  total: number,
): Segment {
  const udhLength = udh?.length ?? 0;
  let payload: Buffer;
  let userDataLength: number;
  if (encoding === 'gsm7') {
    const septets = encodeGsm7Septets(text);
    payload = packSeptets(septets, gsm7FillBits(udhLength));
    userDataLength = Math.ceil((udhLength * 8) / 7) + septets.length;
  } else {
    payload = encoding === 'binary' ? Buffer.from(text, 'latin1') : encodeOctets(text, encoding);
    userDataLength = udhLength + payload.length;
  }
  const userData = udh ? Buffer.concat([udh, payload]) : payload;
  return { seq, total, udh, payload, userData, userDataLength, text };
}
