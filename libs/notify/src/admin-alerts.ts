import { statfs } from 'node:fs/promises';
import type Redis from 'ioredis';
import type { Logger } from 'pino';

/** What is watched; each has its own cool-down so one flapping link does not flood phones. */
export type AdminAlertKind = 'link-down' | 'queue-backlog' | 'disk-low' | 'role-crashed';

export interface AdminAlertSettings {
  /** Admins' mobile numbers; none: admin alerts are off. */
  phones: string[];
  cooldownSeconds: number;
  checkSeconds: number;
  /** Outbound recipients waiting, above which the queue counts as backed up. */
  queueBacklog: number;
  /** Free space of the data folder's file system, below which the disk counts as low. */
  diskFreeMb: number;
  /** A link must be down this long before an alert (reconnects are normal). */
  linkDownSeconds: number;
}

/** The facts the checks read, behind functions so the watcher is plain logic. */
export interface AdminAlertSources {
  links(): Array<{ id: string; state: string }>;
  outboundBacklog(): Promise<number>;
  dataDir: string;
  send(to: string, text: string): Promise<void>;
}

/**
 * Admin alerts by SMS (H15): a link down, an outbound queue backlog, a disk running out
 * of space, a crashed component. The cool-down is kept in Redis (SET NX EX), so a farm
 * of nodes sends one SMS per problem and period, not one per node.
 */
export class AdminAlerts {
  private timer: NodeJS.Timeout | null = null;
  private readonly downSince = new Map<string, number>();

  constructor(
    private readonly settings: AdminAlertSettings,
    private readonly sources: AdminAlertSources,
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.settings.phones.length > 0;
  }

  start(): void {
    if (!this.enabled) return;
    this.timer = setInterval(
      () =>
        void this.check().catch((err: Error) => this.log.warn({ err }, 'admin alert check failed')),
      this.settings.checkSeconds * 1000,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round of checks; returns the alerts sent (for tests and logs). */
  async check(): Promise<string[]> {
    const sent: string[] = [];
    const t = this.now();
    for (const link of this.sources.links()) {
      if (link.state === 'up') {
        this.downSince.delete(link.id);
        continue;
      }
      const since = this.downSince.get(link.id) ?? t;
      this.downSince.set(link.id, since);
      if (t - since >= this.settings.linkDownSeconds * 1000) {
        if (
          await this.raise(
            'link-down',
            link.id,
            `[Dizi] SMS link ${link.id} has been down for ${Math.round((t - since) / 1000)} s`,
          )
        )
          sent.push(`link-down:${link.id}`);
      }
    }
    const backlog = await this.sources.outboundBacklog();
    if (backlog > this.settings.queueBacklog) {
      if (
        await this.raise(
          'queue-backlog',
          'outbound',
          `[Dizi] outbound mail queue backlog: ${backlog} recipients waiting`,
        )
      )
        sent.push('queue-backlog');
    }
    const fs = await statfs(this.sources.dataDir);
    const freeMb = Math.floor((fs.bavail * fs.bsize) / 1048576);
    if (freeMb < this.settings.diskFreeMb) {
      if (
        await this.raise(
          'disk-low',
          this.sources.dataDir,
          `[Dizi] disk low: ${freeMb} MB free for ${this.sources.dataDir}`,
        )
      )
        sent.push('disk-low');
    }
    return sent;
  }

  /** Called by the runtime when a component died and was restarted (e.g. the private Redis). */
  crashed(component: string, detail: string): Promise<boolean> {
    return this.raise(
      'role-crashed',
      component,
      `[Dizi] ${component} crashed and was restarted: ${detail}`,
    );
  }

  private async raise(kind: AdminAlertKind, subject: string, text: string): Promise<boolean> {
    if (!this.enabled) return false;
    const key = `dizi:admin-alert:${kind}:${subject}`;
    const first = await this.redis.set(
      key,
      String(this.now()),
      'EX',
      this.settings.cooldownSeconds,
      'NX',
    );
    if (first !== 'OK') return false; // still in its cool-down
    this.log.warn({ kind, subject }, text);
    for (const phone of this.settings.phones) {
      await this.sources
        .send(phone, text)
        .catch((err: Error) => this.log.error({ err, phone }, 'admin alert SMS not queued'));
    }
    return true;
  }
}
