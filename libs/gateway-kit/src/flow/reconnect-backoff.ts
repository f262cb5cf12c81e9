/** Exponential back-off between reconnect attempts: min, 2·min, 4·min … capped at max. */
export class ReconnectBackoff {
  private attempts = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {}

  /** The delay before the next attempt; each call doubles the following one. */
  next(): number {
    const delay = Math.min(this.minMs * 2 ** this.attempts, this.maxMs);
    this.attempts = Math.min(this.attempts + 1, 30);
    return delay;
  }

  /** After a successful login the next failure starts from the minimum again. */
  reset(): void {
    this.attempts = 0;
  }
}
