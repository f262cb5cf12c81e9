import { promises as fs } from 'node:fs';

/**
 * fsyncs one directory for many writers at once (group commit). A caller's request is
 * satisfied by the first fsync that STARTS after it asked, so concurrent SMTP sessions
 * finishing together share one directory sync instead of one each. The directory stays
 * open for the life of the process.
 */
export class DirSyncer {
  private handle: Promise<fs.FileHandle> | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(readonly dir: string) {}

  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.syncOnce().finally(() => (this.running = null));
      return this.running;
    }
    // An fsync is in flight and may have started before our change: wait for the next.
    this.next ??= this.running.then(() => {
      this.next = null;
      return this.sync();
    });
    return this.next;
  }

  private async syncOnce(): Promise<void> {
    this.handle ??= fs.open(this.dir, 'r');
    const h = await this.handle;
    await h.sync();
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await (await h).close();
  }
}
