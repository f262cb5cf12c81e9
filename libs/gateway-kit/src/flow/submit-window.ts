import { ConnectionLostError, GatewayError, RequestTimeoutError } from '../errors';
import { systemClock, type Clock, type TimerHandle } from './clock';

interface InFlight<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
  timer: TimerHandle;
}

/** A response arrived for a sequence id nothing is waiting for. */
export class UnknownSequenceError extends GatewayError {
  constructor(readonly sequenceId: number) {
    super('UNKNOWN_SEQUENCE', `response for sequence ${sequenceId}, which is not in flight`);
  }
}

/**
 * Sliding window of requests awaiting their response: at most `size` in flight, each
 * matched to its response by sequence id and failed after `timeoutMs`. Callers beyond
 * the window wait, in order, for a slot.
 */
export class SubmitWindow<T> {
  private readonly inFlight = new Map<number, InFlight<T>>();
  private readonly waiters: (() => void)[] = [];
  private reserved = 0;

  constructor(
    readonly size: number,
    private readonly timeoutMs: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`window size must be ≥ 1, got ${size}`);
  }

  /** Requests holding a slot (sent or about to be). */
  get inUse(): number {
    return this.reserved;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiters.length;
  }

  /**
   * Waits for a slot, registers `sequenceId`, calls `write` and resolves with the
   * matching response. A `write` that throws frees the slot and rejects.
   */
  async send(sequenceId: number, write: () => void): Promise<T> {
    await this.acquire();
    if (this.inFlight.has(sequenceId)) {
      this.releaseSlot();
      throw new GatewayError('DUPLICATE_SEQUENCE', `sequence ${sequenceId} is already in flight`);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(
        () =>
          this.settle(sequenceId, (f) =>
            f.reject(new RequestTimeoutError(sequenceId, this.timeoutMs)),
          ),
        this.timeoutMs,
      );
      timer.unref?.();
      this.inFlight.set(sequenceId, { resolve, reject, timer });
      try {
        write();
      } catch (error) {
        this.settle(sequenceId, (f) => f.reject(error as Error));
      }
    });
  }

  /** Hands a response to its request; false (and nothing else) for an unknown sequence id. */
  resolve(sequenceId: number, response: T): boolean {
    return this.settle(sequenceId, (f) => f.resolve(response));
  }

  /** Fails one request, e.g. when its response arrived but could not be decoded. */
  fail(sequenceId: number, error: Error): boolean {
    return this.settle(sequenceId, (f) => f.reject(error));
  }

  /** Fails every request in flight, e.g. when the connection drops. */
  failAll(makeError: (sequenceId: number) => Error = (seq) => new ConnectionLostError(seq)): void {
    for (const seq of [...this.inFlight.keys()]) this.settle(seq, (f) => f.reject(makeError(seq)));
  }

  private settle(sequenceId: number, action: (f: InFlight<T>) => void): boolean {
    const entry = this.inFlight.get(sequenceId);
    if (!entry) return false;
    this.inFlight.delete(sequenceId);
    this.clock.clearTimeout(entry.timer);
    this.releaseSlot();
    action(entry);
    return true;
  }

  private acquire(): Promise<void> {
    if (this.reserved < this.size) {
      this.reserved++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiters.shift();
    // The slot passes straight to the next waiter, so `reserved` stays the same.
    if (next) next();
    else this.reserved--;
  }
}
