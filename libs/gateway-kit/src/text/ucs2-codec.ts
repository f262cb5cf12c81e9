/**
 * UCS-2 as carriers use it: UTF-16 big-endian code units. Characters outside the BMP
 * travel as surrogate pairs, which most phones join back; what must never happen is a
 * pair cut in two by segmentation, so the segmenter works in whole characters.
 */
export function encodeUcs2(text: string): Buffer {
  const out = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

/** Decodes UTF-16BE; an odd trailing byte is ignored rather than guessed. */
export function decodeUcs2(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes.readUInt16BE(i));
  return out;
}

export function isHighSurrogate(codeUnit: number): boolean {
  return codeUnit >= 0xd800 && codeUnit <= 0xdbff;
}
