import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import libmime from 'libmime';

/** The header section of a raw message: everything before the first empty line. */
export function extractHeaderBlock(raw: Buffer): Buffer {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return raw.subarray(0, i + 1);
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return raw.subarray(0, i + 1);
  }
  return raw; // headers only, no body
}

/**
 * Reads only the header section of a spooled message, so a bounce of a 100 MB message
 * does not load 100 MB. Stops at `maxBytes` (headers that long are truncated).
 */
export async function readHeaderBlock(file: string, maxBytes = 256 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  const stream = createReadStream(file, { highWaterMark: 16 * 1024 });
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      const sofar = Buffer.concat(chunks);
      const block = extractHeaderBlock(sofar);
      if (block.length < sofar.length) return block;
      if (length >= maxBytes) return sofar.subarray(0, maxBytes);
    }
    return Buffer.concat(chunks);
  } finally {
    stream.destroy();
  }
}

/**
 * The decoded value of one header field (first occurrence), unfolded; null if absent.
 * Raw 8-bit values that are not UTF-8 are read as GB18030, the usual case for Chinese mail.
 */
export function headerValue(headers: Buffer, name: string): string | null {
  const text = headers.toString('latin1');
  const pattern = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im');
  const match = text.match(pattern);
  if (!match) return null;
  const rawValue = Buffer.from(match[1].replace(/\r?\n(?=[ \t])/g, ''), 'latin1');
  const unicode = isValidUtf8(rawValue)
    ? rawValue.toString('utf8')
    : iconv.decode(rawValue, 'gb18030');
  try {
    return libmime.decodeWords(unicode).trim();
  } catch {
    return unicode.trim(); // a broken encoded-word: show it as it came
  }
}

function isValidUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}
