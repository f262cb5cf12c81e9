import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import { RecipientResolver } from '@dizi/directory';
import { summarizeMessage } from '@dizi/mail';
import {
  BlobStore,
  DeliveryOutcome,
  DeliveryTarget,
  MailboxRepository,
  MessageSummary,
  OutboundQueueRepository,
} from '@dizi/store';
import { Spool, SpoolEntry } from '../spool';
import type { FailedRecipient } from './system-notices';

/** What the processor needs besides storage: bounces, quota warnings, the outbound schedule. */
export interface SpoolProcessorHooks {
  /** Remote recipients were queued: schedule their first try. */
  scheduleOutbound(messageId: string, domains: string[]): Promise<void>;
  /** Some recipients failed at delivery time: bounce to the sender (never to <>). */
  bounce(entry: SpoolEntry, failed: FailedRecipient[]): Promise<void>;
  /** A delivery left the user with less free space than the warning threshold. */
  quotaLow(userId: number, usedBytes: number, quotaBytes: number): Promise<void>;
  /** Every successful local delivery (IMAP push, alerts). */
  delivered?(outcome: Extract<DeliveryOutcome, { status: 'delivered' }>, entry: SpoolEntry): void;
  /**
   * Recipients another service delivers (mail to SMS: `<number>@<smsDomain>`): never
   * put in a mailbox nor relayed. `deliver` returns the ones that failed for good (they
   * are bounced); a throw leaves the entry in the spool for a later try, so `deliver`
   * must not send twice what it sent before.
   */
  claimed?: {
    claims(address: string): boolean;
    deliver(entry: SpoolEntry, recipients: string[]): Promise<FailedRecipient[]>;
  };
  /** The sender asked that recipients are told by SMS (envelope.notifySms); best effort. */
  notifySms?(entry: SpoolEntry, recipients: NotifiedRecipient[]): Promise<void>;
}

/** A recipient the mail reached (a local mailbox, or queued for a remote server). */
export interface NotifiedRecipient {
  address: string;
  /** Set for a local mailbox. */
  userId?: number;
}

/** One spool entry, read and resolved, ready for the batch's transaction. */
interface DeliveryPlan {
  entry: SpoolEntry;
  size: number;
  summary: MessageSummary;
  targets: DeliveryTarget[];
  remote: Array<{ recipient: string; domain: string; notify: string | null }>;
  /** Recipients the `claimed` hook delivers. */
  claimed: string[];
  failed: FailedRecipient[];
}

const HEAD_READ = 256 * 1024;
/** How long a recipient lookup made at RCPT time stands in for one at delivery. */
const RESOLUTION_FRESH_MS = 10_000;
/** Entries delivered in one SQL transaction. */
const BATCH_SIZE = 64;
/** How long the first entry of a batch waits for others (delivery, not the 250, waits). */
const GATHER_MS = 10;

/**
 * Takes acknowledged messages out of the spool: local recipients get a copy in their
 * INBOX (with quota accounting), remote ones are queued for outbound delivery, failures
 * are bounced; only then is the spool entry removed. Entries are handled in batches:
 * one transaction (one commit) and one directory sync for many messages, which is what
 * lets one process keep up with many SMTP sessions. Re-running an entry after a crash
 * is safe at every step (inbound_deliveries marks).
 */
export class SpoolProcessor {
  private readonly waiting: SpoolEntry[] = [];
  private readonly inFlight = new Set<string>();
  private batches = 0;
  private idleWaiters: Array<() => void> = [];
  /** Failed tries per entry; the entry stays in the spool and is tried again later. */
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  /** Spool ids removed since the last commit: their marks go in the next transaction. */
  private finished: string[] = [];

  constructor(
    private readonly spool: Spool,
    private readonly resolver: RecipientResolver,
    private readonly mailboxes: MailboxRepository,
    private readonly outbound: OutboundQueueRepository,
    private readonly blobs: BlobStore,
    private readonly hooks: SpoolProcessorHooks,
    private readonly log: Logger,
    private readonly quotaWarningBytes: number,
    /** Batches in flight: one being read and resolved while another commits. */
    private readonly concurrency = 2,
  ) {}

  /** Finishes whatever the spool held when the process stopped. */
  async recover(): Promise<number> {
    const entries = await this.spool.pending();
    for (const e of entries) this.submit(e);
    if (entries.length) this.log.info({ count: entries.length }, 'recovering spooled messages');
    return entries.length;
  }

  submit(entry: SpoolEntry): void {
    if (this.inFlight.has(entry.id)) return;
    this.inFlight.add(entry.id);
    this.waiting.push(entry);
    if (this.waiting.length >= BATCH_SIZE) {
      setImmediate(() => this.pump());
    } else if (!this.gathering) {
      // Wait a little for other sessions' messages to join the batch: a batch costs one
      // commit, one WAL sync, one directory sync and one journal record however many
      // messages it holds. Under load, batches also gather while the previous one runs.
      this.gathering = setTimeout(() => {
        this.gathering = null;
        this.pump();
      }, GATHER_MS);
    }
  }

  private gathering: NodeJS.Timeout | null = null;

  /** Resolves when nothing is waiting or running (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.batches && !this.waiting.length) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.batches < this.concurrency && this.waiting.length) {
      const batch = this.waiting.splice(0, BATCH_SIZE);
      this.batches++;
      this.runBatch(batch).finally(() => {
        this.batches--;
        for (const e of batch) this.inFlight.delete(e.id);
        this.pump();
        if (!this.batches && !this.waiting.length) {
          const w = this.idleWaiters;
          this.idleWaiters = [];
          w.forEach((f) => f());
        }
      });
    }
  }

  private async runBatch(batch: SpoolEntry[]): Promise<void> {
    try {
      await this.processBatch(batch);
      for (const e of batch) this.failures.delete(e.id);
    } catch (err) {
      if (batch.length === 1) return this.retryLater(batch[0], err as Error);
      // One bad entry must not hold the others back: try them one by one.
      this.log.warn(
        { err, size: batch.length },
        'delivery batch failed; delivering its entries one by one',
      );
      for (const e of batch) {
        await this.processBatch([e]).then(
          () => this.failures.delete(e.id),
          (e2: Error) => this.retryLater(e, e2),
        );
      }
    }
  }

  /** Delivers one entry on its own (tests, tools). */
  process(entry: SpoolEntry): Promise<void> {
    return this.processBatch([entry]);
  }

  private async processBatch(batch: SpoolEntry[]): Promise<void> {
    const plans = await Promise.all(batch.map((e) => this.plan(e)));
    const stored = plans.filter((p) => p.targets.length || p.remote.length);
    await this.blobs.adoptMany(
      stored.map((p) => ({ id: p.entry.id, sourceFile: p.entry.messageFile })),
    );

    const forget = this.finished;
    this.finished = [];
    let outcomes: DeliveryOutcome[][];
    try {
      outcomes = await this.mailboxes.deliverMany(
        plans.map((p) => ({
          msg: {
            spoolId: p.entry.id,
            blobId: p.entry.id,
            size: p.size,
            internalDate: p.entry.envelope.receivedAt,
            summary: p.summary,
          },
          targets: p.targets,
        })),
        forget,
      );
    } catch (err) {
      this.finished.push(...forget);
      throw err;
    }

    for (const [i, p] of plans.entries()) await this.afterDelivery(p, outcomes[i]);
    // The batch is done once its entries are out of the spool; their idempotency marks
    // are forgotten (in a later transaction) only once the removal is durable.
    const ids = plans.map((p) => p.entry.id);
    this.spool.removeMany(ids).then(
      () => this.finished.push(...ids),
      (err: Error) =>
        this.log.warn({ err, count: ids.length }, 'spool removal not made durable; marks kept'),
    );
  }

  /** Reads an entry's headers and resolves its recipients (no writes). */
  private async plan(entry: SpoolEntry): Promise<DeliveryPlan> {
    const { envelope } = entry;
    let size = envelope.size;
    let summary = envelope.summary;
    if (size === undefined || !summary) {
      const [stat, head] = await Promise.all([
        fs.stat(entry.messageFile),
        readHead(entry.messageFile),
      ]);
      const s = summarizeMessage(head);
      size = stat.size;
      summary = { subject: s.subject, from: s.from, to: s.to, messageId: s.messageId };
    }
    const plan: DeliveryPlan = {
      entry,
      size,
      summary,
      targets: [],
      remote: [],
      claimed: [],
      failed: [],
    };
    const targets = new Map<number, DeliveryTarget>();
    const seenRemote = new Set<string>();
    const addRemote = (address: string, notify: string | null) => {
      if (seenRemote.has(address)) return;
      seenRemote.add(address);
      // Also an alias target: an alias may forward to a phone.
      if (this.hooks.claimed?.claims(address)) return void plan.claimed.push(address);
      plan.remote.push({
        recipient: address,
        domain: address.slice(address.lastIndexOf('@') + 1),
        notify,
      });
    };
    // The lookups made at RCPT time, when they are seconds old, are as good as new ones
    // and cost nothing (a recovered entry, or one held up, is looked up again).
    const earlier =
      entry.resolved && Date.now() - entry.resolved.at < RESOLUTION_FRESH_MS
        ? entry.resolved.resolutions
        : undefined;
    for (const [i, r] of envelope.recipients.entries()) {
      if (this.hooks.claimed?.claims(r.address)) {
        addRemote(r.address.toLowerCase(), null);
        continue;
      }
      const res =
        earlier?.[i] ??
        (await this.resolver.resolve(r.address, {
          sender: envelope.sender,
          authUser: envelope.authUser,
        }));
      if (res.kind === 'local') {
        for (const mb of res.mailboxes) {
          if (!targets.has(mb.userId))
            targets.set(mb.userId, { userId: mb.userId, recipient: mb.address, folder: 'INBOX' });
        }
        for (const a of res.remote) addRemote(a, r.notify ?? null);
      } else if (res.kind === 'remote') {
        addRemote(r.address.toLowerCase(), r.notify ?? null);
      } else if (res.kind === 'unknown') {
        plan.failed.push({
          recipient: r.address,
          status: '5.1.1',
          diagnostic: 'no such mailbox here',
        });
      } else {
        plan.failed.push({ recipient: r.address, status: '5.7.1', diagnostic: res.reason });
      }
    }
    plan.targets = [...targets.values()];
    return plan;
  }

  private async afterDelivery(p: DeliveryPlan, outcomes: DeliveryOutcome[]): Promise<void> {
    const { entry } = p;
    let storedLocally = false;
    for (const o of outcomes) {
      if (o.status === 'over-quota')
        p.failed.push({ recipient: o.recipient, status: '5.2.2', diagnostic: 'mailbox full' });
      if (o.status === 'no-folder')
        p.failed.push({
          recipient: o.recipient,
          status: '5.2.1',
          diagnostic: 'mailbox has no INBOX',
        });
      if (o.status === 'delivered' || o.status === 'duplicate') storedLocally = true;
      if (o.status === 'delivered') {
        this.hooks.delivered?.(o, entry);
        if (o.quotaBytes > 0 && o.quotaBytes - o.usedBytes < this.quotaWarningBytes) {
          await this.hooks
            .quotaLow(o.userId, o.usedBytes, o.quotaBytes)
            .catch((err: Error) =>
              this.log.warn({ err, userId: o.userId }, 'quota warning failed'),
            );
        }
      }
    }
    if (p.claimed.length) p.failed.push(...(await this.hooks.claimed!.deliver(entry, p.claimed)));
    if (p.remote.length) {
      await this.outbound.enqueue({
        id: entry.id,
        blobId: entry.id,
        sender: entry.envelope.sender,
        size: p.size,
        envId: entry.envelope.envId ?? null,
        ret: entry.envelope.ret ?? null,
        recipients: p.remote,
      });
      await this.hooks.scheduleOutbound(entry.id, [...new Set(p.remote.map((r) => r.domain))]);
    }
    // Adopted for local copies that all failed (over quota) and no remote use: free it.
    if ((p.targets.length || p.remote.length) && !storedLocally && !p.remote.length)
      await this.blobs.delete(entry.id);
    if (p.failed.length) {
      if (entry.envelope.sender) await this.hooks.bounce(entry, p.failed);
      else
        this.log.warn(
          { id: entry.id, failed: p.failed },
          'undeliverable message from <> dropped (no bounce to a bounce)',
        );
    }
    if (entry.envelope.notifySms && this.hooks.notifySms) {
      const reached = new Set(
        outcomes
          .filter((o) => o.status === 'delivered' || o.status === 'duplicate')
          .map((o) => o.recipient),
      );
      await this.hooks
        .notifySms(entry, [
          ...p.targets
            .filter((t) => reached.has(t.recipient))
            .map((t) => ({ address: t.recipient, userId: t.userId })),
          ...p.remote.map((r) => ({ address: r.recipient })),
        ])
        .catch((err: Error) => this.log.warn({ err, id: entry.id }, 'SMS notices failed'));
    }
    this.log.info(
      {
        id: entry.id,
        local: p.targets.length,
        remote: p.remote.length,
        sms: p.claimed.length,
        failed: p.failed.length,
      },
      'spool entry processed',
    );
  }

  /**
   * A failed entry (database down, disk error) stays in the spool and is tried again
   * with back-off from 5 s to 10 min; it is also picked up at the next start.
   */
  private retryLater(entry: SpoolEntry, err: Error): void {
    entry.resolved = undefined; // looked up afresh on the next try
    const n = (this.failures.get(entry.id) ?? 0) + 1;
    this.failures.set(entry.id, n);
    const delay = Math.min(600_000, 5000 * 2 ** Math.min(n - 1, 7));
    this.log.error(
      { err, id: entry.id, tries: n, retryInMs: delay },
      'spool entry failed; it stays in the spool',
    );
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.submit(entry);
    }, delay);
    timer.unref();
    this.retryTimers.add(timer);
  }

  /** Stops retry timers (shutdown); the entries stay in the spool for the next start. */
  stop(): void {
    if (this.gathering) clearTimeout(this.gathering);
    this.gathering = null;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }
}

async function readHead(file: string): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(HEAD_READ);
    const { bytesRead } = await fh.read(buf, 0, HEAD_READ, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
