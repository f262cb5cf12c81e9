import { RequestTimeoutError } from '../errors';
import { systemClock, type Clock, type TimerHandle } from './clock';

export interface KeepAliveOptions {
  /** Idle time before a probe (CMPP's C, 3 min). */
  idleMs: number;
  /** Time a probe may go unanswered (CMPP's T, 60 s). */
  responseTimeoutMs: number;
  /** Unanswered probes in a row before the peer counts as gone (CMPP's N, 3). */
  maxUnanswered: number;
  sendProbe: () => void;
  /** The peer stayed silent through maxUnanswered probes: drop the connection. */
  onDead: (error: Error) => void;
  clock?: Clock;
}

/**
 * Link test for long connections (CMPP/SMGP ACTIVE_TEST): after `idleMs` without any
 * packet from the peer, send a probe; each probe unanswered for `responseTimeoutMs`
 * counts, and `maxUnanswered` of them in a row end the connection.
 */
export class KeepAlive {
  private readonly clock: Clock;
  private timer: TimerHandle | null = null;
  private lastHeard = 0;
  private probeSentAt: number | null = null;
  private unanswered = 0;

  constructor(private readonly options: KeepAliveOptions) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.stop();
    this.heard();
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Any packet from the peer proves it alive. */
  heard(): void {
    this.lastHeard = this.clock.now();
    this.probeSentAt = null;
    this.unanswered = 0;
  }

  private schedule(): void {
    const tick = Math.min(this.options.idleMs, this.options.responseTimeoutMs);
    this.timer = this.clock.setTimeout(() => this.check(), tick);
    this.timer.unref?.();
  }

  private check(): void {
    const { idleMs, responseTimeoutMs, maxUnanswered } = this.options;
    const now = this.clock.now();
    if (this.probeSentAt !== null && now - this.probeSentAt >= responseTimeoutMs) {
      this.unanswered++;
      this.probeSentAt = null;
      if (this.unanswered >= maxUnanswered) {
        this.timer = null;
        this.options.onDead(new RequestTimeoutError(0, responseTimeoutMs * maxUnanswered));
        return;
      }
    }
    if (this.probeSentAt === null && now - this.lastHeard >= idleMs) {
      this.probeSentAt = now;
      this.options.sendProbe();
    }
    this.schedule();
  }
}
