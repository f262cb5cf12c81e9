import type { IncomingMessage, ServerResponse } from 'node:http';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import {
  InboundSink,
  LinkHealth,
  LinkRegistry,
  SmsLink,
  SmsLinkFactory,
  SmsRouter,
} from '@dizi/gateway-kit';

/** A link's health as published for other processes (CLI `dizi link list`, admin API). */
export interface PublishedLinkHealth extends LinkHealth {
  id: string;
  kind: string;
  prefixes: string[];
  priority: number;
  node: string;
  at: string;
}

export const LINK_HEALTH_KEY = 'dizi:link-health:';
const PUBLISH_EVERY_MS = 2000;

/**
 * The SMS links of this process, built from configuration data by the registered
 * gateway factories, and the router over them. Health is published to Redis every
 * two seconds (with a short expiry) so any process can show it.
 */
export class SmsLinks {
  readonly router: SmsRouter;
  private links: SmsLink[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: LinkRegistry,
    private readonly configs: readonly Record<string, unknown>[],
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly node: string,
  ) {
    this.router = new SmsRouter([]);
  }

  static registry(factories: readonly SmsLinkFactory[]): LinkRegistry {
    return new LinkRegistry(factories);
  }

  /** Checks every configured link now, so a bad config stops the start with its reason. */
  validate(): void {
    for (const c of this.configs) this.registry.validate(c);
  }

  async start(sink: InboundSink): Promise<void> {
    this.links = this.configs.map((c) =>
      this.registry.create(c, {
        sink,
        logger: this.log.child({ component: 'sms-link', link: String(c.id) }),
      }),
    );
    this.router.setLinks(this.links);
    // A link that cannot connect yet keeps retrying by itself; start must not fail for it.
    await Promise.all(
      this.links.map((l) =>
        l.start().catch((err: Error) => this.log.warn({ err, link: l.id }, 'SMS link not up yet')),
      ),
    );
    await this.publish();
    this.timer = setInterval(() => void this.publish(), PUBLISH_EVERY_MS);
    this.timer.unref();
  }

  /**
   * The HTTP callback listener of a link that takes callbacks (HTTP providers' MO and
   * delivery reports), or null. Found by shape, so the core needs no gateway import.
   */
  httpCallback(linkId: string): ((req: IncomingMessage, res: ServerResponse) => void) | null {
    const link = this.links.find((l) => l.id === linkId) as
      | (SmsLink & { callbackHandler?: () => (req: IncomingMessage, res: ServerResponse) => void })
      | undefined;
    return link && typeof link.callbackHandler === 'function' ? link.callbackHandler() : null;
  }

  health(): PublishedLinkHealth[] {
    const at = new Date().toISOString();
    return this.links.map((l) => ({
      ...l.health(),
      id: l.id,
      kind: l.kind,
      prefixes: [...l.config.prefixes],
      priority: l.config.priority,
      node: this.node,
      at,
    }));
  }

  private async publish(): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      for (const h of this.health())
        pipeline.set(`${LINK_HEALTH_KEY}${h.id}`, JSON.stringify(h), 'PX', PUBLISH_EVERY_MS * 3);
      await pipeline.exec();
    } catch (err) {
      this.log.debug({ err }, 'link health not published');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.links.map((l) => l.stop().catch(() => undefined)));
    this.links = [];
    this.router.setLinks([]);
    this.redis.disconnect();
  }
}

/** Reads the published health of every link (from any process). */
export async function readLinkHealth(redis: Redis): Promise<PublishedLinkHealth[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${LINK_HEALTH_KEY}*`, 'COUNT', 100);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (!keys.length) return [];
  const values = await redis.mget(...keys);
  return values
    .filter((v): v is string => !!v)
    .map((v) => JSON.parse(v) as PublishedLinkHealth)
    .sort((a, b) => a.id.localeCompare(b.id));
}
