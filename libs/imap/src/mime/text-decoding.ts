import * as iconv from 'iconv-lite';
import libmime from 'libmime';

/** Undoes a Content-Transfer-Encoding; unknown encodings are left as they are. */
export function decodeTransferEncoding(bytes: Buffer, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      // Node's decoder skips line breaks and stops at junk, which is what mail needs.
      return Buffer.from(bytes.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(bytes);
    default:
      return bytes;
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** RFC 2045 6.7; a malformed `=` is kept literally, as most mail readers do. */
export function decodeQuotedPrintable(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte !== 0x3d) {
      out[length++] = byte;
      continue;
    }
    // Soft line break: "=" then optional whitespace then CRLF or LF.
    let j = i + 1;
    while (j < bytes.length && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
    if (bytes[j] === 0x0d && bytes[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (bytes[j] === 0x0a) {
      i = j;
      continue;
    }
    const high = hexValue(bytes[i + 1]);
    const low = hexValue(bytes[i + 2]);
    if (high >= 0 && low >= 0) {
      out[length++] = high * 16 + low;
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}

/**
 * Decodes text in a declared charset. GB2312 mail very often holds GBK characters
 * (Outlook and Foxmail label GBK text "gb2312"), so GB2312 is read as GB18030, its
 * superset; unknown charsets fall back to UTF-8.
 */
export function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  let name = (charset ?? 'utf-8').trim().toLowerCase();
  if (name === 'gb2312' || name === 'gbk' || name === 'x-gbk' || name === 'euc-cn')
    name = 'gb18030';
  if (name === 'us-ascii' || name === 'ascii') name = 'utf-8';
  if (!iconv.encodingExists(name)) name = 'utf-8';
  // Node's own UTF-8 decoder is several times faster than going through iconv-lite.
  if (name === 'utf-8' || name === 'utf8') return bytes.toString('utf8');
  return iconv.decode(bytes, name);
}

/**
 * A header value as text: raw 8-bit bytes read as UTF-8 when they are valid UTF-8 (as
 * modern clients send), otherwise as GB18030; then RFC 2047 encoded-words decoded.
 */
export function decodeHeaderText(bytes: Buffer): string {
  let text = bytes.toString('utf8');
  if (text.includes('\ufffd')) {
    text = iconv.decode(bytes, 'gb18030');
  }
  try {
    return libmime.decodeWords(text);
  } catch {
    return text;
  }
}
