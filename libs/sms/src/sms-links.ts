import type { IncomingMessage, ServerResponse } from 'node:http';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import {
  DrainableLink,
  InboundSink,
  LinkHealth,
  LinkRegistry,
  SmsLink,
  SmsLinkFactory,
  SmsRouter,
} from '@dizi/gateway-kit';
import type { SmsLinkEntity } from '@dizi/store';
import { CatalogLink, isRunnable, LinkSource, mergeLinkSources } from './link-catalog';

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
/** Redis channel on which a change of a stored link is announced (the message is its id). */
export const LINKS_CHANGED_CHANNEL = 'dizi:links:changed';
const PUBLISH_EVERY_MS = 2000;

/** Where the links added through the admin API are read from (SQL: SmsLinkRepository). */
export interface StoredLinkSource {
  list(): Promise<SmsLinkEntity[]>;
}

export interface SmsLinksOptions {
  /** Links added through the admin API; without it only the config file's links run. */
  stored?: StoredLinkSource;
  /** How often the stored links are read again, in case a change notice was missed. */
  reloadMs?: number;
  /** How long a removed or changed link may finish the submits it has under way. */
  drainMs?: number;
}

interface RunningLink {
  link: SmsLink;
  routed: DrainableLink<SmsLink>;
  source: LinkSource;
  fingerprint: string;
}

/**
 * The SMS links of this process and the router over them: the config file's links and
 * those added through the admin API (read from SQL), built by the registered gateway
 * factories. A change announced on Redis (or seen by the periodic re-read) is applied
 * without a restart: new links start, removed ones stop after finishing what they have
 * under way, changed ones stop and start again. Health is published to Redis every two
 * seconds (with a short expiry) so any process can show it.
 */
export class SmsLinks {
  readonly router: SmsRouter;
  private readonly running = new Map<string, RunningLink>();
  private sink: InboundSink | null = null;
  private publishTimer: NodeJS.Timeout | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  private subscriber: Redis | null = null;
  private applying: Promise<void> = Promise.resolve();
  private reloadWanted = false;
  private readonly warned = new Set<string>();
  private stopped = false;
  private readonly reloadMs: number;
  private readonly drainMs: number;

  constructor(
    readonly registry: LinkRegistry,
    private readonly configs: readonly Record<string, unknown>[],
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly node: string,
    private readonly options: SmsLinksOptions = {},
  ) {
    this.router = new SmsRouter([]);
    this.reloadMs = options.reloadMs ?? 30_000;
    this.drainMs = options.drainMs ?? 30_000;
  }

  static registry(factories: readonly SmsLinkFactory[]): LinkRegistry {
    return new LinkRegistry(factories);
  }

  /** The links of the config file, as configured. */
  get configLinks(): readonly Record<string, unknown>[] {
    return this.configs;
  }

  /** Checks every configured link now, so a bad config stops the start with its reason. */
  validate(): void {
    for (const c of this.configs) this.registry.validate(c);
  }

  /** Both sources, merged and validated (what should run, and why not when it cannot). */
  async catalog(): Promise<CatalogLink[]> {
    const stored = this.options.stored ? await this.options.stored.list() : [];
    return mergeLinkSources(this.registry, this.configs, stored);
  }

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    this.stopped = false;
    let catalog: CatalogLink[];
    try {
      catalog = await this.catalog();
    } catch (err) {
      // The config file's links still run; the periodic re-read adds the stored ones.
      this.log.error({ err }, 'stored SMS links could not be read; running the config file ones');
      catalog = mergeLinkSources(this.registry, this.configs, []);
    }
    this.applying = this.apply(catalog);
    await this.applying;
    this.publishTimer = setInterval(() => void this.publish(), PUBLISH_EVERY_MS);
    this.publishTimer.unref();
    if (this.options.stored) {
      await this.listenForChanges();
      this.reloadTimer = setInterval(() => void this.reload(), this.reloadMs);
      this.reloadTimer.unref();
    }
  }

  /**
   * Reads the links again and applies the difference. Calls while one is under way
   * are folded into one more run after it, so the last change always wins.
   */
  reload(): Promise<void> {
    if (this.stopped || !this.sink) return this.applying;
    if (this.reloadWanted) return this.applying;
    this.reloadWanted = true;
    this.applying = this.applying.then(async () => {
      this.reloadWanted = false;
      if (this.stopped) return;
      try {
        await this.apply(await this.catalog());
      } catch (err) {
        this.log.warn({ err }, 'SMS links not reloaded; trying again later');
      }
    });
    return this.applying;
  }

  /** Tells every node that a stored link changed (best effort: the re-read catches up). */
  async announce(id: string): Promise<void> {
    await this.redis.publish(LINKS_CHANGED_CHANNEL, id);
  }

  /**
   * The HTTP callback listener of a link that takes callbacks (HTTP providers' MO and
   * delivery reports), or null. Found by shape, so the core needs no gateway import.
   */
  httpCallback(linkId: string): ((req: IncomingMessage, res: ServerResponse) => void) | null {
    const link = this.link(linkId) as
      | (SmsLink & { callbackHandler?: () => (req: IncomingMessage, res: ServerResponse) => void })
      | undefined;
    return link && typeof link.callbackHandler === 'function' ? link.callbackHandler() : null;
  }

  /** The running link with this id in this process, if any (tests, diagnostics). */
  link(id: string): SmsLink | undefined {
    return this.running.get(id)?.link;
  }

  /** Health of the links running in this process. */
  health(): PublishedLinkHealth[] {
    const at = new Date().toISOString();
    return [...this.running.values()].map(({ link: l }) => ({
      ...l.health(),
      id: l.id,
      kind: l.kind,
      prefixes: [...l.config.prefixes],
      priority: l.config.priority,
      node: this.node,
      at,
    }));
  }

  /** Health of every running link: this process's, and what the other nodes published. */
  async allHealth(): Promise<PublishedLinkHealth[]> {
    const local = this.health();
    const published = await readLinkHealth(this.redis).catch(() => []);
    const seen = new Set(local.map((h) => h.id));
    return [...local, ...published.filter((h) => !seen.has(h.id))].sort((a, b) =>
      a.id.localeCompare(b.id),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.publishTimer) clearInterval(this.publishTimer);
    if (this.reloadTimer) clearInterval(this.reloadTimer);
    this.subscriber?.disconnect();
    this.subscriber = null;
    await this.applying.catch(() => undefined);
    const all = [...this.running.values()];
    this.running.clear();
    this.router.setLinks([]);
    await Promise.all(all.map((r) => r.link.stop().catch(() => undefined)));
    this.redis.disconnect();
  }

  /** Starts what is new, stops what went away, restarts what changed. */
  private async apply(catalog: CatalogLink[]): Promise<void> {
    const wanted = new Map(catalog.filter(isRunnable).map((c) => [c.id, c]));
    for (const c of catalog) {
      const note = `${c.id}\n${c.fingerprint}\n${c.problem}`;
      if (c.problem && c.enabled && !this.warned.has(note)) {
        this.warned.add(note); // once per link and problem, not at every re-read
        this.log.warn({ link: c.id, problem: c.problem }, 'stored SMS link not run');
      }
    }
    const leaving = [...this.running.values()].filter(
      (r) => wanted.get(r.link.id)?.fingerprint !== r.fingerprint,
    );
    // Out of the router first, so no new SMS goes to them while they finish.
    for (const r of leaving) this.running.delete(r.link.id);
    this.router.setLinks([...this.running.values()].map((r) => r.routed));
    await Promise.all(
      leaving.map((r) => this.retire(r, wanted.has(r.link.id) ? 'changed' : 'removed')),
    );
    const starting: SmsLink[] = [];
    for (const c of wanted.values()) {
      if (this.running.has(c.id)) continue;
      const link = this.build(c);
      if (link) starting.push(link);
    }
    this.router.setLinks([...this.running.values()].map((r) => r.routed));
    // A link that cannot connect yet keeps retrying by itself; this must not fail for it.
    await Promise.all(
      starting.map((l) =>
        l.start().catch((err: Error) => this.log.warn({ err, link: l.id }, 'SMS link not up yet')),
      ),
    );
    if (leaving.length || starting.length) await this.publish();
  }

  private build(c: CatalogLink): SmsLink | null {
    if (!this.sink) return null;
    try {
      const link = this.registry.create(c.settings, {
        sink: this.sink,
        logger: this.log.child({ component: 'sms-link', link: c.id }),
      });
      this.running.set(c.id, {
        link,
        routed: new DrainableLink(link),
        source: c.source,
        fingerprint: c.fingerprint,
      });
      if (c.source === 'api') this.log.info({ link: c.id, kind: c.kind }, 'SMS link started');
      return link;
    } catch (err) {
      this.log.error({ err, link: c.id }, 'SMS link could not be built');
      return null;
    }
  }

  /**
   * Takes a link out of service: it is already out of the router; the submits it has
   * under way finish (at most drainMs), then it says goodbye to the carrier.
   */
  private async retire(r: RunningLink, why: 'changed' | 'removed'): Promise<void> {
    const id = r.link.id;
    const drained = await r.routed.drain(this.drainMs);
    if (!drained)
      this.log.warn(
        { link: id, underWay: r.routed.inFlight, drainMs: this.drainMs },
        'SMS link stopped with submits still unanswered (the carrier may have them)',
      );
    await r.link.stop().catch((err: Error) => this.log.warn({ err, link: id }, 'stop failed'));
    await this.redis.del(`${LINK_HEALTH_KEY}${id}`).catch(() => undefined);
    this.log.info({ link: id, why }, `SMS link ${why === 'changed' ? 'restarting' : 'stopped'}`);
  }

  private async listenForChanges(): Promise<void> {
    const sub = this.redis.duplicate();
    sub.on('error', (err) => this.log.debug({ err }, 'link change subscription error'));
    sub.on('message', (channel: string) => {
      if (channel === LINKS_CHANGED_CHANNEL) void this.reload();
    });
    this.subscriber = sub;
    try {
      await sub.subscribe(LINKS_CHANGED_CHANNEL);
    } catch (err) {
      this.log.warn({ err }, 'link changes not subscribed; relying on the periodic re-read');
    }
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
