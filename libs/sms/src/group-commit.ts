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

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.running || this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          const out = await this.flush(batch.map((w) => w.item));
          batch.forEach((w, i) => w.resolve(out[i]));
        } catch (err) {
          for (const w of batch) w.reject(err as Error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
