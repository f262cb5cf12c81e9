import { Queue } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { DiziConfig } from '@dizi/config';
import { redisOptions } from '@dizi/queue';
import { addDeliveryJob, DELIVERY_QUEUE, DeliveryJob } from '@dizi/smtp';
import { OutboundQueueRepository } from '@dizi/store';
import { serverRedisUrl } from './server-redis';

/**
 * `dizi queue retry`: makes the recipients due in SQL, then, when the server's Redis is
 * reachable, adds the delivery job so the running server tries at once. Without a
 * running server the retry happens when it starts (its reconcile reads SQL).
 */
export class RetryThroughRedis {
  constructor(
    private readonly config: DiziConfig,
    private readonly repo: OutboundQueueRepository,
  ) {}

  async retryNow(messageId: string): Promise<number> {
    const n = await this.repo.retryNow(messageId);
    const url = serverRedisUrl(this.config);
    if (!url) return n;
    const entry = await this.repo.get(messageId);
    const queue = new Queue<DeliveryJob>(DELIVERY_QUEUE, {
      connection: {
        ...redisOptions(url),
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
      } as ConnectionOptions,
    });
    queue.on('error', () => undefined);
    try {
      const at = Date.now();
      for (const domain of new Set(entry?.recipients.map((r) => r.domain) ?? [])) {
        await addDeliveryJob(queue, messageId, domain, at);
      }
    } catch {
      // Server not running: SQL already says "due now".
    } finally {
      await queue.close().catch(() => undefined);
    }
    return n;
  }
}
