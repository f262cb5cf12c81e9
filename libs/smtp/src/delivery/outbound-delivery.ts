import { ConnectionOptions, Job, Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { DeliveryConfig } from '@dizi/config';
import {
  BlobStore,
  OutboundQueueRepository,
  QueueEntry,
  RecipientResult as StoredResult,
} from '@dizi/store';
import { DestinationConcurrency, SmtpDeliveryClient } from '../outbound';
import type { RecipientResult } from '../outbound';

export const DELIVERY_QUEUE = 'dizi-delivery';
const BUSY_DESTINATION_DELAY_MS = 2000;

export interface DeliveryJob {
  messageId: string;
  domain: string;
}

export interface OutboundDeliveryHooks {
  /** Recipients that failed for good (5xx, or retries used up): bounce to the sender. */
  failed(entry: QueueEntry, results: RecipientResult[]): Promise<void>;
}

/**
 * Remote delivery (M2). The outbound_* tables are the queue; BullMQ carries the
 * schedule: one job per (message, destination domain, due time). A job that finds
 * nothing due does nothing, so stale or duplicate jobs are harmless, and a periodic
 * reconcile re-creates jobs lost with a Redis restart. Results go to SQL; deferred
 * recipients are retried every `retryIntervalSeconds` up to `maxAttempts` tries.
 */
export class OutboundDelivery {
  private readonly queue: Queue<DeliveryJob>;
  private worker: Worker<DeliveryJob> | null = null;
  private reconcileTimer: NodeJS.Timeout | null = null;
  private readonly limiter: DestinationConcurrency;

  constructor(
    private readonly redis: ConnectionOptions,
    private readonly repo: OutboundQueueRepository,
    private readonly blobs: BlobStore,
    private readonly client: SmtpDeliveryClient,
    private readonly config: DeliveryConfig,
    private readonly heloName: string,
    private readonly hooks: OutboundDeliveryHooks,
    private readonly log: Logger,
  ) {
    this.queue = new Queue<DeliveryJob>(DELIVERY_QUEUE, { connection: redis });
    this.queue.on('error', (err) => this.log.warn({ err }, 'delivery queue error'));
    this.limiter = new DestinationConcurrency(config.concurrencyPerDomain);
  }

  /** Starts the worker that makes delivery attempts (the `worker` role). */
  async startWorker(): Promise<void> {
    this.worker = new Worker<DeliveryJob>(DELIVERY_QUEUE, (job) => this.attempt(job), {
      connection: this.redis,
      concurrency: this.config.workers,
    });
    this.worker.on('error', (err) => this.log.warn({ err }, 'delivery worker error'));
    this.worker.on('failed', (job, err) =>
      this.log.error({ err, job: job?.data }, 'delivery job crashed'),
    );
    await this.reconcile();
    this.reconcileTimer = setInterval(
      () => void this.reconcile().catch((err: Error) => this.log.warn({ err }, 'reconcile failed')),
      60_000,
    );
    this.reconcileTimer.unref();
  }

  async schedule(messageId: string, domains: string[], at = Date.now()): Promise<void> {
    for (const domain of domains) await addDeliveryJob(this.queue, messageId, domain, at);
  }

  /** Makes every pending recipient of a message due now and schedules a try. */
  async retryNow(messageId: string): Promise<number> {
    const n = await this.repo.retryNow(messageId);
    const entry = await this.repo.get(messageId);
    if (entry) {
      const domains = [...new Set(entry.recipients.filter(isPending).map((r) => r.domain))];
      await this.schedule(messageId, domains);
    }
    return n;
  }

  /** Ensures every pending (message, domain) in SQL has a job; adding an existing job id is a no-op. */
  async reconcile(): Promise<void> {
    const due = await this.repo.due(Number.MAX_SAFE_INTEGER, 100_000);
    for (const d of due) await this.schedule(d.messageId, [d.domain], d.nextAttemptAt);
  }

  private async attempt(job: Job<DeliveryJob>): Promise<void> {
    const { messageId, domain } = job.data;
    const entry = await this.repo.get(messageId);
    if (!entry) return;
    const now = Date.now();
    const pending = entry.recipients.filter(
      (r) => r.domain === domain && isPending(r) && r.nextAttemptAt <= now + 1000,
    );
    if (!pending.length) return;
    // A destination at its concurrency limit: come back shortly rather than hold a worker.
    const release = this.limiter.tryAcquire(domain);
    if (!release) {
      await this.schedule(messageId, [domain], Date.now() + BUSY_DESTINATION_DELAY_MS);
      return;
    }
    let results: RecipientResult[];
    try {
      const smartHost = this.config.smartHost
        ? {
            host: this.config.smartHost.host,
            port: this.config.smartHost.port,
            secure: this.config.smartHost.secure,
            auth: this.config.smartHost.user
              ? { user: this.config.smartHost.user, pass: this.config.smartHost.pass ?? '' }
              : undefined,
          }
        : undefined;
      results = await this.client.deliver({
        domain,
        sender: entry.message.sender,
        recipients: pending.map((r) => r.recipient),
        message: this.blobs.localPath(entry.message.blobId),
        heloName: this.heloName,
        tls: this.config.tls,
        smartHost,
        smartHostMode: this.config.smartHostMode,
        timeouts: { connectMs: this.config.connectTimeoutMs },
      });
    } finally {
      release();
    }
    // A deferral on the last allowed try becomes a failure.
    const attemptsAfter = (r: RecipientResult) =>
      (pending.find((p) => p.recipient === r.recipient)?.attempts ?? 0) + 1;
    const final = results.map((r) =>
      r.status === 'deferred' && attemptsAfter(r) >= this.config.maxAttempts
        ? {
            ...r,
            status: 'failed' as const,
            message: `gave up after ${attemptsAfter(r)} tries: ${r.message}`,
            enhancedCode: r.enhancedCode.replace(/^4/, '5'),
          }
        : r,
    );
    const next = Date.now() + this.config.retryIntervalSeconds * 1000;
    await this.repo.recordAttempt(messageId, final.map(toStored), next);
    for (const r of final) {
      this.log.info(
        {
          id: messageId,
          rcpt: r.recipient,
          status: r.status,
          code: r.code,
          host: r.remoteHost,
          msg: r.message,
        },
        'delivery attempt',
      );
    }
    const failed = final.filter((r) => r.status === 'failed');
    if (failed.length) await this.hooks.failed(entry, failed);
    if (final.some((r) => r.status === 'deferred')) await this.schedule(messageId, [domain], next);
    await this.finishIfDone(messageId);
  }

  private async finishIfDone(messageId: string): Promise<void> {
    const entry = await this.repo.get(messageId);
    if (!entry || entry.recipients.some(isPending)) return;
    const freed = await this.repo.remove(messageId);
    for (const id of freed) await this.blobs.delete(id);
  }

  async close(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    await this.worker?.close();
    await this.queue.close();
  }
}

function isPending(r: { status: string }): boolean {
  return r.status === 'queued' || r.status === 'deferred';
}

/**
 * Adds the job for one try of (message, domain) due at `at`. The job id includes the due
 * time, so a retry-now next to an existing delayed job makes a second job; whichever
 * runs later finds nothing due.
 */
export function addDeliveryJob(
  queue: Queue<DeliveryJob>,
  messageId: string,
  domain: string,
  at: number,
) {
  return queue.add(
    'deliver',
    { messageId, domain },
    {
      jobId: `${messageId}_${domain}_${at}`,
      delay: Math.max(0, at - Date.now()),
      removeOnComplete: true,
      removeOnFail: 1000,
    },
  );
}

function toStored(r: RecipientResult): StoredResult {
  return {
    recipient: r.recipient,
    status: r.status,
    code: r.code,
    message: `${r.enhancedCode} ${r.remoteResponse ?? r.message}`.slice(0, 1000),
    remoteHost: r.remoteHost,
  };
}
