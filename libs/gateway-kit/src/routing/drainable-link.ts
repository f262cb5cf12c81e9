import { LinkDownError } from '../errors';
import { systemClock, type Clock } from '../flow/clock';
import type { OutboundSms } from '../sms';
import type { LinkHealth } from '../sms-link';
import type { RoutableLink } from './sms-router';

/**
 * A link as the router holds it when links can be taken out of service while running
 * (removed or changed through the admin API). It counts the submits under way; once
 * draining, it refuses new ones with {@link LinkDownError} (nothing was sent, so the
 * router tries the next link and the queue retries later) and lets those under way
 * finish on this link. Taking a link away this way loses no SMS and sends none twice.
 */
export class DrainableLink<L extends RoutableLink = RoutableLink> implements RoutableLink {
  private underWay = 0;
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly link: L,
    private readonly clock: Clock = systemClock,
  ) {}

  get id(): string {
    return this.link.id;
  }

  get config(): RoutableLink['config'] {
    return this.link.config;
  }

  /** Submits started and not yet answered. */
  get inFlight(): number {
    return this.underWay;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  health(): LinkHealth {
    return this.link.health();
  }

  async submit(sms: OutboundSms): Promise<string[]> {
    if (this.draining) throw new LinkDownError(this.id, 'being taken out of service');
    this.underWay++;
    try {
      return await this.link.submit(sms);
    } finally {
      this.underWay--;
      if (this.underWay === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /**
   * Refuses new submits from now on and waits, at most `timeoutMs`, for those under
   * way. Resolves true when none is left, false when some were still waiting for
   * their answer at the time-out (stopping the link then fails them as a lost
   * connection does: the carrier may have them).
   */
  drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    if (this.underWay === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      timer.unref?.();
      const done = () => {
        this.clock.clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }
}
