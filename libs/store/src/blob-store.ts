import { createReadStream, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fsyncDir, writeFileDurably } from './durable-file';

const SYNC_READ_MAX = 256 * 1024;

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

  async adoptMany(items: Array<{ id: string; sourceFile: string }>): Promise<void> {
    const dirs = new Set<string>();
    await Promise.all(
      items.map(async ({ id, sourceFile }) => {
        const target = this.localPath(id);
        dirs.add(path.dirname(target));
        await this.linkOrCopy(sourceFile, target);
      }),
    );
    // The links must be durable before SQL rows point at them.
    await Promise.all([...dirs].map((d) => fsyncDir(d)));
  }

  /** Folders known to exist, so the hot path skips mkdir's system calls. */
  private readonly madeDirs = new Set<string>();

  private async linkOrCopy(sourceFile: string, target: string): Promise<void> {
    const dir = path.dirname(target);
    if (!this.madeDirs.has(dir)) {
      await fs.mkdir(dir, { recursive: true });
      if (this.madeDirs.size > 10_000) this.madeDirs.clear();
      this.madeDirs.add(dir);
    }
    try {
      await fs.link(sourceFile, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return; // adopted before a crash: the same bytes are there
      if (code !== 'EXDEV') throw err;
      // Another file system (a separate blob volume): copy, fsync, rename.
      const tmp = `${target}.tmp`;
      await fs.copyFile(sourceFile, tmp);
      const fd = await fs.open(tmp, 'r+');
      await fd.sync();
      await fd.close();
      await fs.rename(tmp, target);
    }
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

  stream(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.localPath(id), range);
  }

  async delete(id: string): Promise<void> {
    await fs.rm(this.localPath(id), { force: true });
  }
}
