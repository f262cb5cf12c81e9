import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import { RecipientResolver } from '@dizi/directory';
import { summarizeMessage } from '@dizi/mail';
import {
  BlobStore,
  DeliveryOutcome,
  DeliveryTarget,
  MailboxRepository,
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
  /** Every successful local delivery (notify, H2, hooks in here later). */
  delivered?(outcome: Extract<DeliveryOutcome, { status: 'delivered' }>, entry: SpoolEntry): void;
}

const HEAD_READ = 256 * 1024;

/**
 * Takes acknowledged messages out of the spool: local recipients get a copy in their
 * INBOX (one transaction with quota accounting), remote ones are queued for outbound
 * delivery, failures are bounced; only then is the spool entry removed. Re-running an
 * entry after a crash is safe at every step (see MailboxRepository.deliver).
 */
export class SpoolProcessor {
  private running = 0;
  private readonly waiting: SpoolEntry[] = [];
  private readonly inFlight = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  /** Failed tries per entry; the entry stays in the spool and is tried again later. */
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly spool: Spool,
    private readonly resolver: RecipientResolver,
    private readonly mailboxes: MailboxRepository,
    private readonly outbound: OutboundQueueRepository,
    private readonly blobs: BlobStore,
    private readonly hooks: SpoolProcessorHooks,
    private readonly log: Logger,
    private readonly quotaWarningBytes: number,
    private readonly concurrency = 4,
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
    this.pump();
  }

  /** Resolves when nothing is waiting or running (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.running && !this.waiting.length) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const entry = this.waiting.shift()!;
      this.running++;
      this.process(entry)
        .then(
          () => this.failures.delete(entry.id),
          (err: Error) => this.retryLater(entry, err),
        )
        .finally(() => {
          this.running--;
          this.inFlight.delete(entry.id);
          this.pump();
          if (!this.running && !this.waiting.length) {
            const w = this.idleWaiters;
            this.idleWaiters = [];
            w.forEach((f) => f());
          }
        });
    }
  }

  /**
   * A failed entry (database down, disk error) stays in the spool and is tried again
   * with back-off from 5 s to 10 min; it is also picked up at the next start.
   */
  private retryLater(entry: SpoolEntry, err: Error): void {
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
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }

  async process(entry: SpoolEntry): Promise<void> {
    const { envelope } = entry;
    const stat = await fs.stat(entry.messageFile);
    const head = await readHead(entry.messageFile);
    const summary = summarizeMessage(head);
    const failed: FailedRecipient[] = [];
    const targets = new Map<number, DeliveryTarget>();
    const remote: Array<{ recipient: string; domain: string; notify: string | null }> = [];
    const seenRemote = new Set<string>();
    const addRemote = (address: string, notify: string | null) => {
      if (seenRemote.has(address)) return;
      seenRemote.add(address);
      remote.push({
        recipient: address,
        domain: address.slice(address.lastIndexOf('@') + 1),
        notify,
      });
    };

    for (const r of envelope.recipients) {
      const res = await this.resolver.resolve(r.address, {
        sender: envelope.sender,
        authUser: envelope.authUser,
      });
      if (res.kind === 'local') {
        for (const mb of res.mailboxes) {
          if (!targets.has(mb.userId))
            targets.set(mb.userId, { userId: mb.userId, recipient: mb.address, folder: 'INBOX' });
        }
        for (const a of res.remote) addRemote(a, r.notify ?? null);
      } else if (res.kind === 'remote') {
        addRemote(r.address.toLowerCase(), r.notify ?? null);
      } else if (res.kind === 'unknown') {
        failed.push({ recipient: r.address, status: '5.1.1', diagnostic: 'no such mailbox here' });
      } else {
        failed.push({ recipient: r.address, status: '5.7.1', diagnostic: res.reason });
      }
    }

    const blobId = entry.id;
    const needsBlob = targets.size > 0 || remote.length > 0;
    if (needsBlob) await this.blobs.adopt(blobId, entry.messageFile);

    let storedLocally = false;
    if (targets.size) {
      const outcomes = await this.mailboxes.deliver(
        { spoolId: entry.id, blobId, size: stat.size, internalDate: envelope.receivedAt, summary },
        [...targets.values()],
      );
      for (const o of outcomes) {
        if (o.status === 'over-quota')
          failed.push({ recipient: o.recipient, status: '5.2.2', diagnostic: 'mailbox full' });
        if (o.status === 'no-folder')
          failed.push({
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
    }

    if (remote.length) {
      await this.outbound.enqueue({
        id: entry.id,
        blobId,
        sender: envelope.sender,
        size: stat.size,
        envId: envelope.envId ?? null,
        ret: envelope.ret ?? null,
        recipients: remote,
      });
      await this.hooks.scheduleOutbound(entry.id, [...new Set(remote.map((r) => r.domain))]);
    }

    // Adopted for local copies that all failed (over quota) and no remote use: free it.
    if (needsBlob && !storedLocally && !remote.length) await this.blobs.delete(blobId);

    if (failed.length) {
      if (envelope.sender) await this.hooks.bounce(entry, failed);
      else
        this.log.warn(
          { id: entry.id, failed },
          'undeliverable message from <> dropped (no bounce to a bounce)',
        );
    }
    await this.spool.remove(entry.id);
    await this.mailboxes.forgetSpool(entry.id);
    this.log.info(
      { id: entry.id, local: targets.size, remote: remote.length, failed: failed.length },
      'spool entry processed',
    );
  }
}

async function readHead(file: string): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_READ);
    const { bytesRead } = await fh.read(buf, 0, HEAD_READ, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
