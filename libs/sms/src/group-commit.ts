interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: Error) => void;
}

/**
 * Group commit: work items that arrive in the same tick, or while the previous batch is
 * being written, are handled by one call of `flush` (one transaction, one fsync) instead
 * of one each. Under light load a batch holds one item and waits for nothing but the
 * next turn of the event loop; under load batches grow by themselves. Each caller gets
 * its own result; when `flush` throws, every item of that batch gets the error.
 */
export class GroupCommit<I, O> {
  private pending: Waiting<I, O>[] = [];
  private running = false;
  private scheduled = false;
  private lastStart = -Infinity;
  private lastDuration = 0;
  private lastFull = false;

  /**
   * `spacing`: a batch starts no sooner than `spacing` times the duration of the previous
   * one after that one started (at most `maxIntervalMs`). A lone item is written at
   * once; under load, batches grow instead of commits multiplying. This matters when a
   * commit blocks the event loop (an fsync on SQLite, 0.3 to 6 ms on the bench machine):
   * with spacing 3 the rest of the process keeps at least two thirds of the time.
   * After a full batch (`maxBatch` items) the next starts at once: the writes are behind.
   */
  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly options: { maxBatch?: number; spacing?: number; maxIntervalMs?: number } = {},
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /**
   * The next batch starts on a later turn of the event loop, never straight from the end
   * of the previous one: a synchronous driver (better-sqlite3) blocks the loop while it
   * commits, so the requests that arrived meanwhile are still in the sockets and only
   * join the batch once the loop has read them.
   */
  private schedule(): void {
    if (this.running || this.scheduled || !this.pending.length) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      void this.flushOne();
    };
    const interval = this.lastFull
      ? 0
      : Math.min(this.lastDuration * (this.options.spacing ?? 0), this.options.maxIntervalMs ?? 50);
    const wait = this.lastStart + interval - performance.now();
    if (wait > 1) setTimeout(run, wait);
    else setImmediate(run);
  }

  private async flushOne(): Promise<void> {
    this.running = true;
    this.lastStart = performance.now();
    const batch = this.pending.splice(0, this.options.maxBatch ?? 500);
    this.lastFull = batch.length >= (this.options.maxBatch ?? 500);
    try {
      const out = await this.flush(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(out[i]));
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
    } finally {
      this.lastDuration = performance.now() - this.lastStart;
      this.running = false;
      this.schedule();
    }
  }
}
