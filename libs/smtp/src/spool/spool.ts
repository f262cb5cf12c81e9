import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DirSyncer } from '@dizi/store';
import { CrlfNormalizer } from './crlf-normalizer';
import { SpoolEntry, SpoolEnvelope } from './spool-envelope';

/** Bytes gathered in memory before a write to the spool file. */
const WRITE_BATCH = 256 * 1024;

/** Bytes of the message start kept in memory for header checks (loops, summary). */
const HEAD_BYTES = 256 * 1024;

export class MessageTooBigError extends Error {
  override name = 'MessageTooBigError';
}

export interface SpooledMessage {
  id: string;
  size: number;
  /** The first bytes of the stored message (headers), for checks before the reply. */
  head: Buffer;
}

/** A message being received: the bytes are on disk, not yet committed. */
export class PendingSpoolFile {
  constructor(
    private readonly spool: Spool,
    readonly id: string,
    readonly tmpFile: string,
    readonly size: number,
    readonly head: Buffer,
  ) {}

  /** Makes the message durable with its envelope: after this resolves, `250` may be sent. */
  commit(envelope: SpoolEnvelope): Promise<SpoolEntry> {
    return this.spool.commit(this, envelope);
  }

  discard(): Promise<void> {
    return fs.rm(this.tmpFile, { force: true });
  }
}

/**
 * The durable hand-over point between the SMTP reply and delivery (R2). A message is
 * `<id>.eml` plus `<id>.json` (its envelope) in `<dataDir>/spool`; the envelope file is
 * written last, so only complete, fsync'd entries exist. Whatever the spool holds at
 * start is finished by the spool processor.
 */
export class Spool {
  readonly dir: string;
  private readonly dirSync: DirSyncer;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'spool');
    this.dirSync = new DirSyncer(this.dir);
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    // Temp files of messages that were never acknowledged (a crash mid-DATA).
    for (const name of await fs.readdir(this.dir)) {
      if (name.endsWith('.tmp')) await fs.rm(path.join(this.dir, name), { force: true });
    }
  }

  newId(): string {
    // Time-ordered, so recovery and queue listings keep arrival order.
    return `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
  }

  /**
   * Streams a message to a temp file with CRLF line ends, `prefix` (our Received
   * header) first, and fsyncs it. Stops writing past `maxBytes` but drains the input.
   */
  async receive(
    input: Readable | AsyncIterable<Buffer>,
    prefix: Buffer,
    maxBytes: number,
    id = this.newId(),
  ): Promise<PendingSpoolFile> {
    const tmpFile = path.join(this.dir, `${id}.eml.tmp`);
    const fh = await fs.open(tmpFile, 'w', 0o640);
    const normalizer = new CrlfNormalizer();
    const headParts: Buffer[] = [prefix];
    let headLen = prefix.length;
    let size = prefix.length;
    let tooBig = false;
    // Chunks from the socket are small (a TCP read each); they are gathered and written
    // with one write per WRITE_BATCH bytes, so a typical message costs one write call.
    let pendingChunks: Buffer[] = [prefix];
    let pendingBytes = prefix.length;
    const flush = async () => {
      if (!pendingChunks.length) return;
      const out = pendingChunks;
      pendingChunks = [];
      pendingBytes = 0;
      await fh.write(out.length === 1 ? out[0] : Buffer.concat(out));
    };
    try {
      for await (const raw of input as AsyncIterable<Buffer>) {
        const chunk = normalizer.push(raw);
        size += chunk.length;
        if (size > maxBytes) {
          tooBig = true;
          pendingChunks = [];
          continue; // keep reading so the SMTP session stays in step
        }
        if (headLen < HEAD_BYTES) {
          headParts.push(chunk.subarray(0, HEAD_BYTES - headLen));
          headLen += Math.min(chunk.length, HEAD_BYTES - headLen);
        }
        pendingChunks.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH) await flush();
      }
      if (tooBig)
        throw new MessageTooBigError(`message exceeds the maximum size of ${maxBytes} bytes`);
      await flush();
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await fs.rm(tmpFile, { force: true });
      throw err;
    }
    await fh.close();
    return new PendingSpoolFile(this, id, tmpFile, size, Buffer.concat(headParts));
  }

  /** Stores a complete message built here (bounces, notices) as a spool entry. */
  async put(raw: Buffer, envelope: SpoolEnvelope): Promise<SpoolEntry> {
    const pending = await this.receive(
      Readable.from([raw]),
      Buffer.alloc(0),
      Number.MAX_SAFE_INTEGER,
    );
    return pending.commit(envelope);
  }

  /**
   * Renames the message into place, writes and fsyncs the envelope, then syncs the
   * directory (shared with concurrent commits). The envelope is written in place, not
   * through a temp file: until this resolves nothing was acknowledged, so a torn
   * envelope found at start belongs to an unacknowledged message and is dropped.
   */
  async commit(pending: PendingSpoolFile, envelope: SpoolEnvelope): Promise<SpoolEntry> {
    const messageFile = this.messageFile(pending.id);
    await fs.rename(pending.tmpFile, messageFile);
    const fh = await fs.open(this.envelopeFile(pending.id), 'wx', 0o640);
    try {
      await fh.writeFile(JSON.stringify(envelope));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.dirSync.sync();
    return { id: pending.id, messageFile, envelope };
  }

  /**
   * Complete entries, oldest first; a message file without an envelope was never
   * acknowledged and is removed. Call only at start, before any listener accepts mail.
   */
  async pending(): Promise<SpoolEntry[]> {
    const names = await fs.readdir(this.dir);
    const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
    const out: SpoolEntry[] = [];
    for (const id of ids.sort()) {
      try {
        const envelope = JSON.parse(
          await fs.readFile(this.envelopeFile(id), 'utf8'),
        ) as SpoolEnvelope;
        out.push({ id, messageFile: this.messageFile(id), envelope });
      } catch {
        // Torn by a crash before its fsync, so never acknowledged (see commit): drop it.
        await fs.rm(this.envelopeFile(id), { force: true });
        await fs.rm(this.messageFile(id), { force: true });
      }
    }
    const withEnvelope = new Set(ids);
    for (const n of names) {
      if (n.endsWith('.eml') && !withEnvelope.has(n.slice(0, -4)))
        await fs.rm(path.join(this.dir, n), { force: true });
    }
    return out;
  }

  /** Removes a finished entry: the envelope first, so a crash in between leaves no half entry. */
  remove(id: string): Promise<void> {
    return this.removeMany([id]);
  }

  /** Removes finished entries with one directory sync for all of them. */
  async removeMany(ids: string[]): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        await unlinkIfThere(this.envelopeFile(id));
        await unlinkIfThere(this.messageFile(id));
      }),
    );
    await this.dirSync.sync();
  }

  close(): Promise<void> {
    return this.dirSync.close();
  }

  messageFile(id: string): string {
    return path.join(this.dir, `${id}.eml`);
  }
  private envelopeFile(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}

/** unlink, where a file already gone is fine (fs.rm would lstat first: one more system call). */
async function unlinkIfThere(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
