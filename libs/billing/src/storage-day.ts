import type { Logger } from 'pino';
import type { UsageRepository } from '@dizi/store';
import { localDay } from './period';

/** How often the job looks whether a new local day has begun. */
const CHECK_MS = 5 * 60_000;

/**
 * The daily storage record (worker role): once per local day, every user's bytes in
 * use become a `storage` record for that day. It runs at start and then whenever the
 * day has changed; restarts and several worker nodes all running it still leave one
 * record per user and day (the unique (service, ref) key with ref `<day>/<user id>`).
 */
export class StorageDayJob {
  private timer: NodeJS.Timeout | null = null;
  private lastDay: string | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: UsageRepository,
    private readonly timeZone: string,
    private readonly log: Logger,
    private readonly checkMs = CHECK_MS,
  ) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.checkMs);
    this.timer.unref();
  }

  /** Records today's storage of every user now; returns the day and how many were new. */
  async runOnce(now = Date.now()): Promise<{ day: string; added: number }> {
    const day = localDay(now, this.timeZone);
    const added = await this.repo.recordStorageDay(day, now);
    if (added) this.log.info({ day, added }, 'storage usage recorded');
    return { day, added };
  }

  private tick(): void {
    const day = localDay(Date.now(), this.timeZone);
    if (day === this.lastDay) return;
    this.running = this.runOnce().then(
      (r) => (this.lastDay = r.day),
      (err: Error) => this.log.warn({ err, day }, 'storage usage not recorded yet; will retry'),
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
