import {
  closeSync,
  createReadStream,
  promises as fs,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
} from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DirSyncer } from './dir-syncer';
import { writeFileDurably } from './durable-file';

const SYNC_READ_MAX = 256 * 1024;
/** First read of a header: most mail headers fit; longer ones are read on in doubling steps. */
const HEADER_FIRST_READ = 4096;
/** Bytes of headers kept in memory per store (about 10,000–30,000 typical headers). */
const HEADER_CACHE_BYTES = 8 * 1024 * 1024;
/** Headers larger than this are not cached: one would crowd out hundreds of normal ones. */
const HEADER_CACHE_MAX_ENTRY = 64 * 1024;

/**
 * Where raw messages live, written once and shared by every mailbox copy. An interface
 * so an object store can replace the file system later.
 */
export interface BlobStore {
  /**
   * Takes over a complete, fsync'd file (a spool file) as blob `id` without copying it:
   * the file is linked, so the caller may delete its own name afterwards.
   */
  adopt(id: string, sourceFile: string): Promise<void>;
  /** `adopt` for many files, with one directory sync per directory (a delivery batch). */
  adoptMany(items: Array<{ id: string; sourceFile: string }>): Promise<void>;
  /** Stores bytes built here (IMAP APPEND) durably under `id`. */
  put(id: string, data: Buffer): Promise<void>;
  /** The whole message; `sizeHint` (from SQL) lets small files be read in one go. */
  read(id: string, sizeHint?: number): Promise<Buffer>;
  /**
   * The message's header block as stored, up to and including the blank line that ends
   * it (the whole message when there is none), without reading the body: what IMAP
   * ENVELOPE and BODY[HEADER…] need. Optional so other stores can do without it.
   */
  readHeader?(id: string, sizeHint?: number): Promise<Buffer>;
  /** `readHeader` when the answer is already in memory, without waiting; else undefined. */
  cachedHeader?(id: string): Buffer | undefined;
  stream(id: string, range?: { start: number; end: number }): Readable;
  /** A path on the local file system, for consumers that stream to sockets. */
  localPath(id: string): string;
  delete(id: string): Promise<void>;
}

/**
 * One file per message (M5) under `<dataDir>/blobs/<id 0-3>/<id 4-5>/<id>`. Ids start
 * with the time in base 36, so the first level changes every 28 minutes and the second
 * about every second: folders stay small, and one delivery batch touches one or two.
 */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  localPath(id: string): string {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) throw new Error(`invalid blob id ${JSON.stringify(id)}`);
    return path.join(this.root, id.slice(0, 4), id.slice(4, 6), id);
  }

  adopt(id: string, sourceFile: string): Promise<void> {
    return this.adoptMany([{ id, sourceFile }]);
  }

  /**
   * Links each file in with a synchronous link(2) (a name in a cached directory block:
   * cheaper than a thread-pool round trip), then syncs the directories touched, each
   * sync shared with concurrent batches.
   */
  async adoptMany(items: Array<{ id: string; sourceFile: string }>): Promise<void> {
    const dirs = new Set<string>();
    const copies: Array<Promise<void>> = [];
    for (const { id, sourceFile } of items) {
      const target = this.localPath(id);
      const dir = path.dirname(target);
      dirs.add(dir);
      if (!this.madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        if (this.madeDirs.size > 10_000) this.madeDirs.clear();
        this.madeDirs.add(dir);
      }
      try {
        linkSync(sourceFile, target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue; // adopted before a crash: the same bytes are there
        if (code !== 'EXDEV') throw err;
        copies.push(copyDurably(sourceFile, target));
      }
    }
    await Promise.all(copies);
    // The links must be durable before SQL rows point at them.
    await Promise.all([...dirs].map((d) => this.dirSyncer(d).sync()));
  }

  /** Folders known to exist, so the hot path skips mkdir's system calls. */
  private readonly madeDirs = new Set<string>();
  /** Open directories for shared syncs: the few that current ids map to. */
  private readonly syncers = new Map<string, DirSyncer>();

  private dirSyncer(dir: string): DirSyncer {
    let s = this.syncers.get(dir);
    if (!s) {
      // Ids are time-ordered, so old folders are not written again: close them.
      if (this.syncers.size >= 4) {
        const [oldest, old] = this.syncers.entries().next().value as [string, DirSyncer];
        this.syncers.delete(oldest);
        void old.close().catch(() => undefined);
      }
      s = new DirSyncer(dir);
      this.syncers.set(dir, s);
    }
    return s;
  }

  /** Closes the directories kept open for syncs. */
  async close(): Promise<void> {
    const all = [...this.syncers.values()];
    this.syncers.clear();
    await Promise.all(all.map((s) => s.close()));
  }

  async put(id: string, data: Buffer): Promise<void> {
    const target = this.localPath(id);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileDurably(target, data);
  }

  async read(id: string, sizeHint?: number): Promise<Buffer> {
    // A small file from the page cache reads faster synchronously than through four
    // thread-pool round trips (open, fstat, read, close); big ones stay asynchronous so
    // one large attachment does not stall every other session.
    if (sizeHint !== undefined && sizeHint <= SYNC_READ_MAX)
      return readFileSync(this.localPath(id));
    return fs.readFile(this.localPath(id));
  }

  /** Header blocks by blob id. Blobs never change once written, so entries never go stale. */
  private readonly headers = new ByteBoundedCache(HEADER_CACHE_BYTES);

  cachedHeader(id: string): Buffer | undefined {
    return this.headers.get(id);
  }

  async readHeader(id: string, sizeHint?: number): Promise<Buffer> {
    const cached = this.headers.get(id);
    if (cached) return cached;
    const header =
      sizeHint !== undefined && sizeHint <= SYNC_READ_MAX
        ? readHeaderSync(this.localPath(id))
        : await readHeaderAsync(this.localPath(id));
    if (header.length <= HEADER_CACHE_MAX_ENTRY) this.headers.set(id, header);
    return header;
  }

  stream(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.localPath(id), range);
  }

  async delete(id: string): Promise<void> {
    this.headers.delete(id);
    await fs.rm(this.localPath(id), { force: true });
  }
}

/** Another file system (a separate blob volume): copy, fsync, rename. */
async function copyDurably(sourceFile: string, target: string): Promise<void> {
  const tmp = `${target}.tmp`;
  await fs.copyFile(sourceFile, tmp);
  const fd = await fs.open(tmp, 'r+');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
  await fs.rename(tmp, target);
}

/** Where the header block ends in `bytes` (after its blank line), or -1 when not yet seen. */
export function headerEnd(bytes: Buffer, length = bytes.length): number {
  if (length > 0 && bytes[0] === 0x0a) return 1;
  if (length > 1 && bytes[0] === 0x0d && bytes[1] === 0x0a) return 2;
  let at = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, at);
    if (lf === -1 || lf >= length) return -1;
    if (lf + 1 < length && bytes[lf + 1] === 0x0a) return lf + 2;
    if (lf + 2 < length && bytes[lf + 1] === 0x0d && bytes[lf + 2] === 0x0a) return lf + 3;
    // A line end at the very end of what was read may still start a blank line.
    if (lf + 2 >= length) return -1;
    at = lf + 1;
  }
}

/**
 * Reads from the start of a file until the header block is complete (or the file ends).
 * The answer is a copy of exactly the header bytes, so the read buffer is not kept alive.
 */
function readHeaderSync(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(HEADER_FIRST_READ);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      length += n;
      const end = headerEnd(buffer, length);
      if (end !== -1) return exactCopy(buffer, end);
      if (n === 0) return exactCopy(buffer, length);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The first `length` bytes in a buffer of their own: not a slice of the read buffer, nor
 * of Node's shared 8 KB pool (which a small Buffer.from uses), so a cached header keeps
 * exactly its own bytes alive and the cache's byte count is what it holds.
 */
function exactCopy(buffer: Buffer, length: number): Buffer {
  const copy = Buffer.allocUnsafeSlow(length);
  buffer.copy(copy, 0, 0, length);
  return copy;
}

async function readHeaderAsync(file: string): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(HEADER_FIRST_READ);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      length += bytesRead;
      const end = headerEnd(buffer, length);
      if (end !== -1) return exactCopy(buffer, end);
      if (bytesRead === 0) return exactCopy(buffer, length);
    }
  } finally {
    await handle.close();
  }
}

/**
 * A map of buffers bounded by their total size that drops the least recently used first,
 * approximately: a Map keeps insertion order, so the first key is the one to drop, and a
 * hit moves its entry to the back only once it has aged by half the bound (moving it on
 * every hit, a Map delete and insert, cost more than reading a header from the page cache).
 */
export class ByteBoundedCache {
  private readonly entries = new Map<string, { value: Buffer; at: number }>();
  private bytes = 0;
  /** Bytes ever inserted: an entry's `at` on this clock tells its age. */
  private clock = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(key: string): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.clock - entry.at > this.maxBytes / 2) {
      this.entries.delete(key);
      entry.at = this.clock;
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  set(key: string, value: Buffer): void {
    if (value.length > this.maxBytes) return;
    this.delete(key);
    this.clock += value.length;
    this.entries.set(key, { value, at: this.clock });
    this.bytes += value.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.value.length;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.value.length;
  }
}
