import { UdhError } from '../errors';

/** Concatenation information element (IEI 0x00 with an 8-bit, IEI 0x08 with a 16-bit reference). */
export interface ConcatInfo {
  reference: number;
  referenceBits: 8 | 16;
  total: number;
  seq: number;
}

export interface InformationElement {
  iei: number;
  data: Buffer;
}

export interface ParsedUdh {
  /** Bytes the header takes at the start of the user data, UDHL octet included. */
  headerLength: number;
  elements: InformationElement[];
  concat?: ConcatInfo;
}

export const IEI_CONCAT_8BIT = 0x00;
export const IEI_CONCAT_16BIT = 0x08;

/** Builds the UDH of one segment of a concatenated message (TS 23.040 §9.2.3.24.1/.8). */
export function concatUdh(info: ConcatInfo): Buffer {
  if (info.referenceBits === 8) {
    return Buffer.from([0x05, IEI_CONCAT_8BIT, 0x03, info.reference & 0xff, info.total, info.seq]);
  }
  const ref = info.reference & 0xffff;
  return Buffer.from([0x06, IEI_CONCAT_16BIT, 0x04, ref >> 8, ref & 0xff, info.total, info.seq]);
}

/** Parses the UDH at the start of user data (TP-UDHI set). Malformed headers are a {@link UdhError}. */
export function parseUdh(userData: Buffer): ParsedUdh {
  if (userData.length < 1) throw new UdhError('empty user data');
  const udhl = userData[0];
  const headerLength = udhl + 1;
  if (headerLength > userData.length) {
    throw new UdhError(`length ${udhl} runs past the ${userData.length}-byte content`);
  }
  const elements: InformationElement[] = [];
  let concat: ConcatInfo | undefined;
  let pos = 1;
  while (pos < headerLength) {
    if (pos + 2 > headerLength) throw new UdhError(`element at ${pos} has no length octet`);
    const iei = userData[pos];
    const len = userData[pos + 1];
    const start = pos + 2;
    if (start + len > headerLength)
      throw new UdhError(`element 0x${iei.toString(16)} overruns the header`);
    const data = Buffer.from(userData.subarray(start, start + len));
    elements.push({ iei, data });
    if (iei === IEI_CONCAT_8BIT && len === 3) {
      concat = { reference: data[0], referenceBits: 8, total: data[1], seq: data[2] };
    } else if (iei === IEI_CONCAT_16BIT && len === 4) {
      concat = { reference: data.readUInt16BE(0), referenceBits: 16, total: data[2], seq: data[3] };
    }
    pos = start + len;
  }
  if (concat && (concat.total === 0 || concat.seq === 0 || concat.seq > concat.total)) {
    throw new UdhError(`segment ${concat.seq} of ${concat.total} is impossible`);
  }
  return { headerLength, elements, concat };
}
