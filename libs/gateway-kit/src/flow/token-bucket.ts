import { systemClock, type Clock } from './clock';

/**
 * Token bucket: `ratePerSec` tokens per second, at most `burst` saved up. A link takes
 * one token per segment (carriers count TPS per PDU, not per message — jasmin #925).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Callers of take() wait in line behind this promise. */
  private queue: Promise<void> = Promise.resolve();
  private readonly burst: number;

  constructor(
    readonly ratePerSec: number,
    burst?: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(ratePerSec > 0)) throw new RangeError(`rate must be positive, got ${ratePerSec}`);
    this.burst = burst ?? Math.max(1, Math.ceil(ratePerSec / 10));
    this.tokens = this.burst;
    this.last = clock.now();
  }

  /** Takes a token if one is there. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token will be there (0 when one is there now). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSec);
  }

  /** Resolves once a token was taken. Waiters are served in call order. */
  async take(): Promise<void> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      while (!this.tryTake()) {
        await new Promise<void>((resolve) => {
          const t = this.clock.setTimeout(resolve, this.waitMs());
          t.unref?.();
        });
      }
    } finally {
      release();
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSec) / 1000);
  }
}
