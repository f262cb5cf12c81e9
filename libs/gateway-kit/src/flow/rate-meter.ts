import { systemClock, type Clock } from './clock';

/**
 * Counts events over a sliding window (one-second buckets) to report a link's actual
 * rate in its health, which the router uses to spread load.
 */
export class RateMeter {
  private readonly buckets: number[];
  private lastSecond: number;

  constructor(
    private readonly windowSeconds = 5,
    private readonly clock: Clock = systemClock,
  ) {
    this.buckets = new Array<number>(windowSeconds).fill(0);
    this.lastSecond = Math.floor(clock.now() / 1000);
  }

  record(count = 1): void {
    this.advance();
    this.buckets[this.lastSecond % this.windowSeconds] += count;
  }

  /** Events per second over the last full window. */
  perSecond(): number {
    this.advance();
    return this.buckets.reduce((a, b) => a + b, 0) / this.windowSeconds;
  }

  private advance(): void {
    const second = Math.floor(this.clock.now() / 1000);
    const steps = Math.min(second - this.lastSecond, this.windowSeconds);
    for (let i = 1; i <= steps; i++) this.buckets[(this.lastSecond + i) % this.windowSeconds] = 0;
    if (second > this.lastSecond) this.lastSecond = second;
  }
}
