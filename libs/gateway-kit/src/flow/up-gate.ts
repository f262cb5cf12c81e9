import { systemClock, type Clock } from './clock';

/**
 * Lets work wait until a connection is (back) up. `open()` releases every waiter,
 * `fail()` rejects them (e.g. on stop); a waiter gives up on its own after its time-out.
 */
export class UpGate {
  private isOpen = false;
  private readonly waiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>();

  constructor(private readonly clock: Clock = systemClock) {}

  get opened(): boolean {
    return this.isOpen;
  }

  open(): void {
    this.isOpen = true;
    for (const w of [...this.waiters]) w.resolve();
  }

  close(): void {
    this.isOpen = false;
  }

  fail(error: Error): void {
    this.isOpen = false;
    for (const w of [...this.waiters]) w.reject(error);
  }

  wait(timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          this.clock.clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject: (e: Error) => {
          this.clock.clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(e);
        },
      };
      const timer = this.clock.setTimeout(() => waiter.reject(onTimeout()), timeoutMs);
      timer.unref?.();
      this.waiters.add(waiter);
    });
  }
}
