import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsync,
  promises as fs,
  open,
  unlinkSync,
  write as writeCb,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DirSyncer } from '@dizi/store';
import { CrlfNormalizer } from './crlf-normalizer';
import { SpoolEntry, SpoolEnvelope } from './spool-envelope';
import { SpoolJournal } from './spool-journal';

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
    readonly file: string,
    readonly size: number,
    readonly head: Buffer,
  ) {}

  /** Makes the message durable with its envelope: after this resolves, `250` may be sent. */
  commit(envelope: SpoolEnvelope): Promise<SpoolEntry> {
    return this.spool.commit(this, envelope);
  }

  async discard(): Promise<void> {
    unlinkIfThere(this.file);
  }
}

/**
 * The durable hand-over point between the SMTP reply and delivery (R2). A message is the
 * file `<id>.eml` in `<dataDir>/spool` plus its envelope, a record in the spool journal
 * (see SpoolJournal). Acceptance costs one new file and one fsync of its own; the
 * journal's and the folder's syncs are shared by every session that finishes at the same
 * time. A message file without a pending journal record was never acknowledged (or was
 * delivered) and is removed at start. Whatever the journal holds at start is finished by
 * the spool processor.
 *
 * Small file operations (open, write, close, unlink) are synchronous: each costs a few
 * microseconds of page-cache work, less than a round trip through libuv's thread pool,
 * which on this kind of virtual machine is two context switches. Only the syncs, which
 * wait for the disk, go to the pool.
 */
export class Spool {
  readonly dir: string;
  private readonly dirSync: DirSyncer;
  private journal: SpoolJournal | null = null;
  private recovered: SpoolEntry[] = [];

  constructor(
    dataDir: string,
    private readonly onError: (err: Error, what: string) => void = () => undefined,
  ) {
    this.dir = path.join(dataDir, 'spool');
    this.dirSync = new DirSyncer(this.dir);
  }

  /**
   * Opens the journal, removes what was never acknowledged (message files without a
   * record, temp files of a crash mid-DATA) and keeps the pending entries for
   * `pending()`. Entries of the older one-envelope-file-per-message layout (`<id>.json`)
   * are taken into the journal. Call before any listener accepts mail.
   */
  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const names = await fs.readdir(this.dir);
    const legacy: Array<{ id: string; envelope: SpoolEnvelope }> = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        const envelope = JSON.parse(
          await fs.readFile(path.join(this.dir, n), 'utf8'),
        ) as SpoolEnvelope;
        legacy.push({ id: n.slice(0, -5), envelope });
      } catch {
        // torn by a crash before its fsync, so never acknowledged: dropped below
      }
    }
    const { journal, pending } = await SpoolJournal.open(
      this.dir,
      this.dirSync,
      (err) => this.onError(err, 'spool journal rotation failed'),
      legacy,
    );
    this.journal = journal;
    const present = new Set(names.filter((n) => n.endsWith('.eml')).map((n) => n.slice(0, -4)));
    const gone: string[] = [];
    this.recovered = [];
    for (const { id, envelope } of pending.sort((a, b) => (a.id < b.id ? -1 : 1))) {
      // No file: delivered just before a crash (its `done` record not yet durable), or
      // a record whose message file never became durable, so never acknowledged.
      if (present.has(id)) this.recovered.push({ id, messageFile: this.messageFile(id), envelope });
      else gone.push(id);
    }
    if (gone.length) await journal.done(gone);
    const keep = new Set(this.recovered.map((e) => e.id));
    for (const n of names) {
      const id = n.replace(/\.(eml|json|eml\.tmp)$/, '');
      if (id !== n && !(n.endsWith('.eml') && keep.has(id))) unlinkIfThere(path.join(this.dir, n));
    }
  }

  newId(): string {
    // Time-ordered, so recovery and queue listings keep arrival order; the random part
    // comes from Node's cached entropy pool (randomBytes per id is a system call each).
    return `${Date.now().toString(36)}${randomUUID().slice(0, 8)}${randomUUID().slice(9, 13)}`;
  }

  /**
   * Streams a message to `<id>.eml` with CRLF line ends, `prefix` (our Received header)
   * first, and fsyncs it. Stops writing past `maxBytes` but drains the input.
   */
  async receive(
    input: Readable | AsyncIterable<Buffer>,
    prefix: Buffer,
    maxBytes: number,
    id = this.newId(),
  ): Promise<PendingSpoolFile> {
    const file = this.messageFile(id);
    const normalizer = new CrlfNormalizer();
    const headParts: Buffer[] = [prefix];
    let headLen = prefix.length;
    let size = prefix.length;
    let tooBig = false;
    // The file is created on the thread pool while the data arrives: creating an inode
    // can cost more than writing 10 KB (ext4 looks for a free one), and the session
    // waits for the data anyway. Chunks from the socket are small (a TCP read each);
    // they are gathered and written with one write per WRITE_BATCH bytes, so a typical
    // message costs one write call, made synchronously once the message is complete.
    // Only messages larger than a batch write (asynchronously) while they arrive.
    const opened = openForWrite(file);
    let written = 0;
    let pendingChunks: Buffer[] = [prefix];
    let pendingBytes = prefix.length;
    const take = (): Buffer => {
      const out = pendingChunks.length === 1 ? pendingChunks[0] : Buffer.concat(pendingChunks);
      pendingChunks = [];
      pendingBytes = 0;
      return out;
    };
    let fd = -1;
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
        if (pendingBytes >= WRITE_BATCH) {
          if (fd < 0) fd = await opened;
          const out = take();
          await writeAll(fd, out, written);
          written += out.length;
        }
      }
      if (tooBig)
        throw new MessageTooBigError(`message exceeds the maximum size of ${maxBytes} bytes`);
      if (fd < 0) fd = await opened;
      if (pendingBytes) {
        const out = take();
        if (writeSync(fd, out, 0, out.length, written) !== out.length)
          throw new Error(`short write to ${file} (disk full?)`);
      }
      await new Promise<void>((resolve, reject) =>
        fsync(fd, (err) => (err ? reject(err) : resolve())),
      );
    } catch (err) {
      if (fd < 0) fd = await opened.catch(() => -1);
      if (fd >= 0) {
        closeSync(fd);
        unlinkIfThere(file);
      }
      throw err;
    }
    closeSync(fd);
    return new PendingSpoolFile(this, id, file, size, Buffer.concat(headParts));
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
   * Records the envelope in the journal and makes the record and the message file's
   * name durable (two syncs shared with concurrent commits). The message file itself
   * was synced by `receive`, before the record was written, so a durable record always
   * names a complete file.
   */
  async commit(pending: PendingSpoolFile, envelope: SpoolEnvelope): Promise<SpoolEntry> {
    const journal = this.open();
    try {
      await Promise.all([journal.add(pending.id, envelope), this.dirSync.sync()]);
    } catch (err) {
      journal.drop(pending.id);
      throw err;
    }
    return { id: pending.id, messageFile: pending.file, envelope };
  }

  /**
   * The entries pending at start, oldest first (read by `init`). Call only at start,
   * before any listener accepts mail.
   */
  async pending(): Promise<SpoolEntry[]> {
    const out = this.recovered;
    this.recovered = [];
    return out;
  }

  /** Removes a finished entry (see removeMany). */
  remove(id: string): Promise<void> {
    return this.removeMany([id]);
  }

  /**
   * Removes finished entries: one `done` record for all of them, then their files. The
   * promise resolves once the record is durable; until then a restart runs the entries
   * again (so their idempotency marks must be kept until it resolves). A message file
   * removed before its record is durable is harmless: a pending record without a file
   * is dropped at start.
   */
  removeMany(ids: string[]): Promise<void> {
    const durable = this.open().done(ids);
    for (const id of ids) unlinkIfThere(this.messageFile(id));
    return durable;
  }

  async close(): Promise<void> {
    await this.journal?.close();
    this.journal = null;
    await this.dirSync.close();
  }

  messageFile(id: string): string {
    return path.join(this.dir, `${id}.eml`);
  }

  private open(): SpoolJournal {
    if (!this.journal) throw new Error('the spool is not open (Spool.init was not called)');
    return this.journal;
  }
}

/** Creates `file` (it must not exist) on the thread pool; resolves to its descriptor. */
function openForWrite(file: string): Promise<number> {
  const p = new Promise<number>((resolve, reject) =>
    open(file, 'wx', 0o640, (err, fd) => (err ? reject(err) : resolve(fd))),
  );
  // Awaited later (after the data): a failure must not count as unhandled meanwhile.
  p.catch(() => undefined);
  return p;
}

/** Writes all of `buf` at `position` through the thread pool (large messages only). */
function writeAll(fd: number, buf: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number) =>
      writeCb(fd, buf, off, buf.length - off, position + off, (err, n) => {
        if (err) return reject(err);
        if (n === 0) return reject(new Error('write to a spool file made no progress'));
        if (off + n < buf.length) return step(off + n);
        resolve();
      });
    step(0);
  });
}

/** unlink, where a file already gone is fine (fs.rm would lstat first: one more system call). */
function unlinkIfThere(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
