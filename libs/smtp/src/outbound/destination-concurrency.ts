import { normalizeDomain } from './route-table';

/** Gives a slot back; calling it twice is harmless. */
export type ReleaseSlot = () => void;

interface DestinationState {
  active: number;
  waiting: Array<() => void>;
}

/**
 * Caps concurrent deliveries per destination domain (config `delivery.concurrencyPerDomain`),
 * so one busy domain cannot take every worker and a receiver is not flooded with sessions.
 * Waiters are served first come, first served. In-process only: each node has its own limit.
 */
export class DestinationConcurrency {
  private readonly destinations = new Map<string, DestinationState>();

  constructor(readonly limitPerDestination: number) {
    if (!Number.isInteger(limitPerDestination) || limitPerDestination < 1) {
      throw new RangeError(
        `concurrency per destination must be a whole number of at least 1, got ${limitPerDestination}`,
      );
    }
  }

  /** Waits for a slot for `domain`; resolves with the function that releases it. */
  acquire(domain: string): Promise<ReleaseSlot> {
    const key = normalizeDomain(domain);
    const state = this.stateOf(key);
    if (state.active < this.limitPerDestination) {
      state.active++;
      return Promise.resolve(this.releaser(key, state));
    }
    return new Promise((resolve) => {
      // The slot is handed over directly, `active` is not decremented in between.
      state.waiting.push(() => resolve(this.releaser(key, state)));
    });
  }

  /**
   * A slot now, or null when `domain` is at its limit. A queue worker can then put the job
   * back for later instead of sitting idle in `acquire`, which would let one slow domain
   * tie up every worker.
   */
  tryAcquire(domain: string): ReleaseSlot | null {
    const key = normalizeDomain(domain);
    const state = this.stateOf(key);
    if (state.active >= this.limitPerDestination) return null;
    state.active++;
    return this.releaser(key, state);
  }

  /** Runs `task` inside a slot for `domain`, releasing it however the task ends. */
  async run<T>(domain: string, task: () => Promise<T>): Promise<T> {
    const release = await this.acquire(domain);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Deliveries to `domain` running now. */
  active(domain: string): number {
    return this.destinations.get(normalizeDomain(domain))?.active ?? 0;
  }

  /** Deliveries to `domain` waiting for a slot. */
  waiting(domain: string): number {
    return this.destinations.get(normalizeDomain(domain))?.waiting.length ?? 0;
  }

  private stateOf(key: string): DestinationState {
    let state = this.destinations.get(key);
    if (!state) {
      state = { active: 0, waiting: [] };
      this.destinations.set(key, state);
    }
    return state;
  }

  private releaser(key: string, state: DestinationState): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = state.waiting.shift();
      if (next) {
        next();
        return;
      }
      state.active--;
      // Forget idle destinations so the map does not grow with every domain ever seen.
      if (state.active === 0) this.destinations.delete(key);
    };
  }
}
