import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fsyncDir, writeFileDurably } from './durable-file';

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
  /** Stores bytes built here (IMAP APPEND) durably under `id`. */
  put(id: string, data: Buffer): Promise<void>;
  read(id: string): Promise<Buffer>;
  stream(id: string, range?: { start: number; end: number }): Readable;
  /** A path on the local file system, for consumers that stream to sockets. */
  localPath(id: string): string;
  delete(id: string): Promise<void>;
}

/** One file per message under `<dataDir>/blobs/ab/cd/<id>` (M5: one file per message). */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  localPath(id: string): string {
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(id)) throw new Error(`invalid blob id ${JSON.stringify(id)}`);
    return path.join(this.root, id.slice(0, 2), id.slice(2, 4), id);
  }

  async adopt(id: string, sourceFile: string): Promise<void> {
    const target = this.localPath(id);
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true });
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
    await fsyncDir(dir);
  }

  async put(id: string, data: Buffer): Promise<void> {
    const target = this.localPath(id);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await writeFileDurably(target, data);
  }

  read(id: string): Promise<Buffer> {
    return fs.readFile(this.localPath(id));
  }

  stream(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.localPath(id), range);
  }

  async delete(id: string): Promise<void> {
    await fs.rm(this.localPath(id), { force: true });
  }
}
