import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MessageUnreadableError } from './delivery.errors';

/**
 * The raw message to send, given as a Buffer or a spool file path. A file is streamed,
 * never loaded whole, and opened afresh for each attempt (each MX, then the smart host).
 */
export class MessageSource {
  private constructor(
    private readonly content: Buffer | string,
    /** Size in bytes, for the SIZE parameter of MAIL FROM (RFC 1870). */
    readonly size: number,
    /** true when a byte is >= 0x80, so BODY=8BITMIME is declared (RFC 6152). */
    readonly has8BitData: boolean,
  ) {}

  static async from(message: Buffer | string): Promise<MessageSource> {
    if (Buffer.isBuffer(message)) {
      return new MessageSource(message, message.length, hasHighByte(message));
    }
    try {
      const info = await stat(message);
      if (!info.isFile()) throw new Error('not a regular file');
      return new MessageSource(message, info.size, await fileHas8BitData(message));
    } catch (error) {
      throw new MessageUnreadableError(message, error);
    }
  }

  /** What to hand to the SMTP client for one attempt. */
  open(): Buffer | Readable {
    return Buffer.isBuffer(this.content) ? this.content : createReadStream(this.content);
  }
}

function hasHighByte(chunk: Buffer): boolean {
  for (let i = 0; i < chunk.length; i++) {
    if (chunk[i] >= 0x80) return true;
  }
  return false;
}

/** One sequential read; stops at the first 8-bit byte. */
async function fileHas8BitData(path: string): Promise<boolean> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    for await (const chunk of stream) {
      if (hasHighByte(chunk as Buffer)) return true;
    }
    return false;
  } finally {
    stream.destroy();
  }
}
