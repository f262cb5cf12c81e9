import iconv from 'iconv-lite';
import libmime from 'libmime';

/** One header field as it stands in the message: name, and value with folding removed. */
export interface RawHeader {
  name: string;
  value: Buffer;
}

/** Offset of the blank line that ends the header block (index of the body), or -1. */
export function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  if (lf >= 0) return lf + 2;
  return -1;
}

/** Splits a header block into fields, unfolding continuation lines; tolerant of junk lines. */
export function parseHeaderBlock(block: Buffer): RawHeader[] {
  const out: RawHeader[] = [];
  let start = 0;
  const lines: Buffer[] = [];
  while (start < block.length) {
    let nl = block.indexOf(0x0a, start);
    if (nl < 0) nl = block.length;
    let end = nl;
    if (end > start && block[end - 1] === 0x0d) end--;
    lines.push(block.subarray(start, end));
    start = nl + 1;
  }
  let current: { name: string; parts: Buffer[] } | null = null;
  const flush = () => {
    if (current) out.push({ name: current.name, value: Buffer.concat(current.parts) });
  };
  for (const line of lines) {
    if (!line.length) break;
    if ((line[0] === 0x20 || line[0] === 0x09) && current) {
      current.parts.push(line);
      continue;
    }
    const colon = line.indexOf(0x3a);
    if (colon <= 0) continue; // not a header line: skip rather than fail
    flush();
    current = {
      name: line.subarray(0, colon).toString('latin1').trim(),
      parts: [line.subarray(colon + 1)],
    };
  }
  flush();
  return out;
}

/**
 * Turns a header value into Unicode: RFC 2047 encoded words are decoded; raw 8-bit bytes
 * are taken as UTF-8 when valid, otherwise as GB18030 (a superset of GB2312/GBK, which
 * is what un-encoded 8-bit headers from Chinese clients are in practice).
 */
export function decodeHeaderValue(value: Buffer): string {
  let text: string;
  if (value.every((b) => b < 0x80)) text = value.toString('latin1');
  else {
    const utf8 = value.toString('utf8');
    text = utf8.includes('\uFFFD') ? iconv.decode(value, 'gb18030') : utf8;
  }
  try {
    return libmime.decodeWords(text.trim()).replace(/\s+/g, ' ');
  } catch {
    return text.trim();
  }
}
