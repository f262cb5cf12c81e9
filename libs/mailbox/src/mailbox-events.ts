import Redis, { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { MailboxChange } from '@dizi/imap';

const CHANNEL_PREFIX = 'dizi:mailbox:';
/** How long a change may wait to be published with identical ones (IDLE sessions wait this much more). */
const PUBLISH_DELAY_MS = 20;

/**
 * Changes to a user's folders (new mail, flags, expunges), published through Redis so
 * that IDLE and selected sessions in every Dizi process see them at once, including
 * changes made by SMTP delivery in another process. One subscriber connection per
 * process, fanned out to local listeners by user id.
 */
export class MailboxEvents {
  private readonly pub: Redis;
  private sub: Redis | null = null;
  private readonly listeners = new Map<number, Set<(c: MailboxChange) => void>>();
  /** Changes to publish at the end of this turn: `<userId>\n<change JSON>`. */
  private readonly queued = new Set<string>();

  constructor(
    private readonly redis: RedisOptions,
    private readonly log: Logger,
  ) {
    this.pub = new Redis({ ...redis, lazyConnect: false });
    this.pub.on('error', (err) => this.log.warn({ err }, 'mailbox events: publisher error'));
  }

  /**
   * Publishes within PUBLISH_DELAY_MS, once per distinct change: a change carries no
   * more than "look again at this folder", so the many identical ones of a burst of
   * mail for one user are worth one message (a Redis round trip each cost more CPU than
   * the delivery's SQL).
   */
  publish(userId: number, change: MailboxChange): void {
    const key = `${userId}\n${JSON.stringify(change)}`;
    if (this.queued.has(key)) return;
    this.queued.add(key);
    if (this.queued.size === 1) setTimeout(() => this.flush(), PUBLISH_DELAY_MS);
  }

  private flush(): void {
    const keys = [...this.queued];
    this.queued.clear();
    for (const key of keys) {
      const nl = key.indexOf('\n');
      const userId = key.slice(0, nl);
      this.pub.publish(`${CHANNEL_PREFIX}${userId}`, key.slice(nl + 1)).catch((err: Error) => {
        this.log.warn({ err, userId }, 'mailbox events: publish failed');
      });
    }
  }

  subscribe(userId: number, listener: (c: MailboxChange) => void): () => void {
    this.ensureSubscriber();
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(userId);
    };
  }

  private ensureSubscriber(): void {
    if (this.sub) return;
    const sub = new Redis(this.redis);
    sub.on('error', (err) => this.log.warn({ err }, 'mailbox events: subscriber error'));
    sub
      .psubscribe(`${CHANNEL_PREFIX}*`)
      .catch((err: Error) => this.log.error({ err }, 'mailbox events: psubscribe failed'));
    sub.on('pmessage', (_pattern: string, channel: string, message: string) => {
      const userId = Number(channel.slice(CHANNEL_PREFIX.length));
      const set = this.listeners.get(userId);
      if (!set) return;
      let change: MailboxChange;
      try {
        change = JSON.parse(message) as MailboxChange;
      } catch {
        return;
      }
      for (const l of set) {
        try {
          l(change);
        } catch (err) {
          this.log.warn({ err }, 'mailbox events: listener failed');
        }
      }
    });
    this.sub = sub;
  }

  async close(): Promise<void> {
    this.queued.clear();
    this.listeners.clear();
    this.sub?.disconnect();
    this.pub.disconnect();
  }
}
