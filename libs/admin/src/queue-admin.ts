import { DiziError } from '@dizi/errors';
import { BlobStore, OutboundQueueRepository, QueueEntry } from '@dizi/store';

/** Where a retry is scheduled at once (the running server), if anywhere. */
export interface RetryScheduler {
  retryNow(messageId: string): Promise<number>;
}

export interface QueueItemView {
  id: string;
  sender: string;
  size: number;
  createdAt: string;
  recipients: Array<{
    recipient: string;
    status: string;
    attempts: number;
    nextAttemptAt: string;
    lastError: string | null;
  }>;
}

/** Queue inspection and management (M2, R4): list, retry now, delete. */
export class QueueAdmin {
  constructor(
    private readonly repo: OutboundQueueRepository,
    private readonly blobs: BlobStore,
    private readonly scheduler: RetryScheduler | null,
  ) {}

  async list(): Promise<QueueItemView[]> {
    return (await this.repo.list()).map(view);
  }

  async retry(id: string): Promise<number> {
    await this.require(id);
    return this.scheduler ? this.scheduler.retryNow(id) : this.repo.retryNow(id);
  }

  async remove(id: string): Promise<void> {
    await this.require(id);
    for (const blob of await this.repo.remove(id)) await this.blobs.delete(blob);
  }

  private async require(id: string): Promise<QueueEntry> {
    const e = await this.repo.get(id);
    if (!e)
      throw new DiziError('not-found', `no queued message ${id}; see \`dizi queue list\``, 'id');
    return e;
  }
}

function view(e: QueueEntry): QueueItemView {
  return {
    id: e.message.id,
    sender: e.message.sender || '<>',
    size: e.message.size,
    createdAt: new Date(e.message.createdAt).toISOString(),
    recipients: e.recipients.map((r) => ({
      recipient: r.recipient,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: new Date(r.nextAttemptAt).toISOString(),
      lastError: r.lastError,
    })),
  };
}
