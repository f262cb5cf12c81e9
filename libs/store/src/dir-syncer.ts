import { fdatasync, fsync, promises as fs } from 'node:fs';

/**
 * Group commit of one fsync (or fdatasync) for many writers. A caller's request is
 * satisfied by the first sync that STARTS after it asked, so concurrent SMTP sessions
 * finishing together share one sync instead of one each, the way Postfix and databases
 * share their log flushes.
 */
export class GroupSync {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  /** `syncOnce` does one real sync; it is never run twice at the same time. */
  constructor(private readonly syncOnce: () => Promise<void>) {}

  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.syncOnce().finally(() => (this.running = null));
      return this.running;
    }
    // A sync is in flight and may have started before our change: wait for the next.
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.sync();
      });
    return this.next;
  }

  /** Resolves once no sync is running or queued (before closing what it syncs). */
  async settle(): Promise<void> {
    while (this.running || this.next) await (this.next ?? this.running)!.catch(() => undefined);
  }
}

/** Group commit on a file descriptor the caller owns (and closes after `settle()`). */
export function fdSyncer(fd: number, data = false): GroupSync {
  return new GroupSync(
    () =>
      new Promise<void>((resolve, reject) =>
        (data ? fdatasync : fsync)(fd, (err) => (err ? reject(err) : resolve())),
      ),
  );
}

/**
 * fsyncs one directory for many writers at once (see GroupSync), so that names created,
 * renamed or linked in it survive a power cut. The directory stays open until `close()`.
 */
export class DirSyncer {
  private handle: Promise<fs.FileHandle> | null = null;
  private readonly group = new GroupSync(() => this.syncOnce());

  constructor(readonly dir: string) {}

  sync(): Promise<void> {
    return this.group.sync();
  }

  private async syncOnce(): Promise<void> {
    this.handle ??= fs.open(this.dir, 'r');
    const h = await this.handle;
    await h.sync();
  }

  async close(): Promise<void> {
    await this.group.settle();
    const h = this.handle;
    this.handle = null;
    if (h) await (await h).close();
  }
}
