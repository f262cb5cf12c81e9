import * as iconv from 'iconv-lite';
import { UnencodableTextError } from '../errors';
import { decodeGsm7Septets, isGsm7Encodable } from './gsm7-codec';
import { decodeUcs2, encodeUcs2 } from './ucs2-codec';

/**
 * Encodings a link can send. `gsm7` is packed GSM 03.38 (SMPP, modems); `ascii` is one
 * byte per character with no packing (CMPP/SGIP/SMGP Msg_Fmt 0); `ucs2` is UTF-16BE;
 * `gbk` is the Chinese national code page (Msg_Fmt 15); `binary` is raw 8-bit data.
 */
export type TextEncoding = 'gsm7' | 'ascii' | 'ucs2' | 'gbk' | 'binary';

/** What inbound content can arrive as. `gsm7` here means unpacked septets, one per byte. */
export type ContentEncoding = TextEncoding;

export function isAsciiEncodable(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function canEncode(text: string, encoding: TextEncoding): boolean {
  switch (encoding) {
    case 'gsm7':
      return isGsm7Encodable(text);
    case 'ascii':
      return isAsciiEncodable(text);
    case 'ucs2':
      return true;
    case 'gbk':
      return iconv.decode(iconv.encode(text, 'gbk'), 'gbk') === text;
    case 'binary':
      return false;
  }
}

/** Bytes of a text in an octet-based encoding (not gsm7, which is packed by the segmenter). */
export function encodeOctets(
  text: string,
  encoding: Exclude<TextEncoding, 'gsm7' | 'binary'>,
): Buffer {
  if (encoding === 'ucs2') return encodeUcs2(text);
  if (encoding === 'gbk') return iconv.encode(text, 'gbk');
  return Buffer.from(text, 'latin1');
}

/**
 * The first encoding, in the link's order of preference, that can carry the whole
 * text. A text no allowed encoding can carry is an {@link UnencodableTextError}
 * naming the first offending character.
 */
export function chooseEncoding(text: string, allowed: readonly TextEncoding[]): TextEncoding {
  const usable = allowed.find((e) => canEncode(text, e));
  if (usable) return usable;
  const textual = allowed.find((e) => e !== 'binary') ?? 'binary';
  let index = 0;
  for (const ch of text) {
    if (textual === 'binary' || !canEncode(ch, textual)) {
      throw new UnencodableTextError(textual, ch, index);
    }
    index += ch.length;
  }
  throw new UnencodableTextError(textual, text.slice(0, 1), 0);
}

/** Text of inbound content; binary content gives its hex form so nothing is lost. */
export function decodeContent(bytes: Buffer, encoding: ContentEncoding): string {
  switch (encoding) {
    case 'gsm7':
      return decodeGsm7Septets(bytes);
    case 'ascii':
      return bytes.toString('latin1');
    case 'ucs2':
      return decodeUcs2(bytes);
    case 'gbk':
      return iconv.decode(bytes, 'gbk');
    case 'binary':
      return bytes.toString('hex');
  }
}
