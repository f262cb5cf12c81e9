import {
  UnencodableTextError,
  canEncode,
  encodeGsm7Septets,
  encodeUcs2,
  type ContentEncoding,
  type Segment,
  type TextEncoding,
} from '@dizi/gateway-kit';
import { DataCoding } from './smpp-constants';

/**
 * Text encodings an SMPP link can send: `gsm7` (data_coding 0, GSM 03.38 one septet
 * per octet, unpacked, as SMPP carries it), `ascii` (1, IA5), `latin1` (3, ISO-8859-1)
 * and `ucs2` (8). The kit has no Latin-1 encoding, so it is handled here as 8-bit
 * octets (one per character, which the kit's binary segmenter splits correctly).
 */
export type SmppEncoding = 'gsm7' | 'ascii' | 'latin1' | 'ucs2';

export const SMPP_ENCODINGS: readonly SmppEncoding[] = ['gsm7', 'ascii', 'latin1', 'ucs2'];

export function isLatin1Encodable(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * The first encoding, in the link's order of preference, that can carry the whole
 * text; a text none can carry is an {@link UnencodableTextError} naming the first
 * offending character for the first encoding.
 */
export function chooseSmppEncoding(text: string, allowed: readonly SmppEncoding[]): SmppEncoding {
  const usable = allowed.find((e) =>
    e === 'latin1' ? isLatin1Encodable(text) : canEncode(text, e),
  );
  if (usable) return usable;
  const first = allowed[0] ?? 'gsm7';
  let index = 0;
  for (const ch of text) {
    const ok = first === 'latin1' ? isLatin1Encodable(ch) : canEncode(ch, first);
    if (!ok) throw new UnencodableTextError(first, ch, index);
    index += ch.length;
  }
  throw new UnencodableTextError(first, text.slice(0, 1), 0);
}

/** data_coding for an encoding, or 4 (8-bit data) for binary content. */
export function dataCodingOf(encoding: SmppEncoding | 'binary'): number {
  switch (encoding) {
    case 'gsm7':
      return DataCoding.SMSC_DEFAULT;
    case 'ascii':
      return DataCoding.IA5;
    case 'latin1':
      return DataCoding.LATIN1;
    case 'ucs2':
      return DataCoding.UCS2;
    case 'binary':
      return DataCoding.OCTET_UNSPECIFIED;
  }
}

/** The kit's segmenter encoding for an SMPP encoding (Latin-1 goes through the binary splitter). */
export function kitEncodingOf(encoding: SmppEncoding): TextEncoding {
  return encoding === 'latin1' ? 'binary' : encoding;
}

/** Octets of a whole text in an encoding, as SMPP carries it (gsm7 unpacked). */
export function encodeSmppText(text: string, encoding: SmppEncoding): Buffer {
  switch (encoding) {
    case 'gsm7':
      return Buffer.from(encodeGsm7Septets(text));
    case 'ucs2':
      return encodeUcs2(text);
    default:
      return Buffer.from(text, 'latin1');
  }
}

/**
 * The octets of one kit segment without its UDH, as SMPP carries them: the kit packs
 * gsm7 septets (for the air interface and modems), SMPP wants one septet per octet.
 */
export function smppSegmentBody(segment: Segment, encoding: TextEncoding): Buffer {
  return encoding === 'gsm7' ? Buffer.from(encodeGsm7Septets(segment.text)) : segment.payload;
}

/**
 * How to read inbound content of a data_coding. Codes for character sets the kit does
 * not decode (JIS, Cyrillic, Hebrew, KS C 5601…) come through as hex, so nothing is
 * lost. Data coding group 0xF0 (message class) follows its bit 2 (8-bit or GSM).
 */
export function contentEncodingOf(dataCoding: number): ContentEncoding {
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? 'binary' : 'gsm7';
  switch (dataCoding) {
    case DataCoding.SMSC_DEFAULT:
      return 'gsm7';
    case DataCoding.IA5:
    case DataCoding.LATIN1:
      return 'ascii'; // the kit's "ascii" decodes one octet per character as Latin-1
    case DataCoding.UCS2:
      return 'ucs2';
    default:
      return 'binary';
  }
}
