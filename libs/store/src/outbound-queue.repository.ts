import { In, LessThanOrEqual } from 'typeorm';
import { Database } from './database';
import { releaseBlobRefs } from './directory.repository';
import { addBlobRefs } from './mailbox.repository';
import { OutboundMessageEntity, OutboundRecipientEntity, OutboundStatus } from './entities';

export interface NewOutbound {
  id: string;
  blobId: string;
  sender: string;
  size: number;
  envId: string | null;
  ret: string | null;
  recipients: Array<{ recipient: string; domain: string; notify: string | null }>;
}

export interface RecipientResult {
  recipient: string;
  status: OutboundStatus;
  code: number | null;
  message: string | null;
  remoteHost: string | null;
}

export interface QueueEntry {
  message: OutboundMessageEntity;
  recipients: OutboundRecipientEntity[];
}

/** SQL for the outbound queue. Rows are the truth; BullMQ jobs are only the schedule. */
export class OutboundQueueRepository {
  constructor(private readonly db: Database) {}

  enqueue(e: NewOutbound): Promise<void> {
    return this.db.tx(async (m) => {
      if (await m.findOneBy(OutboundMessageEntity, { id: e.id })) return; // re-run after a crash
      const now = Date.now();
      await m.save(
        m.create(OutboundMessageEntity, {
          id: e.id,
          blobId: e.blobId,
          sender: e.sender,
          size: e.size,
          envId: e.envId,
          ret: e.ret,
          createdAt: now,
        }),
      );
      for (const r of e.recipients) {
        await m.save(
          m.create(OutboundRecipientEntity, {
            messageId: e.id,
            recipient: r.recipient,
            domain: r.domain,
            notify: r.notify,
            status: 'queued',
            attempts: 0,
            nextAttemptAt: now,
            updatedAt: now,
          }),
        );
      }
      await addBlobRefs(m, e.blobId, e.size, 1);
    });
  }

  get(id: string): Promise<QueueEntry | null> {
    return this.db.run(async (m) => {
      const message = await m.findOneBy(OutboundMessageEntity, { id });
      if (!message) return null;
      const recipients = await m.find(OutboundRecipientEntity, {
        where: { messageId: id },
        order: { id: 'ASC' },
      });
      return { message, recipients };
    });
  }

  /** Every queued message with its recipients, oldest first. */
  list(): Promise<QueueEntry[]> {
    return this.db.run(async (m) => {
      const messages = await m.find(OutboundMessageEntity, { order: { createdAt: 'ASC' } });
      if (!messages.length) return [];
      const recipients = await m.find(OutboundRecipientEntity, {
        where: { messageId: In(messages.map((x) => x.id)) },
        order: { id: 'ASC' },
      });
      return messages.map((message) => ({
        message,
        recipients: recipients.filter((r) => r.messageId === message.id),
      }));
    });
  }

  /** (message, domain) pairs with a pending recipient due by `at`. */
  due(
    at: number,
    limit = 1000,
  ): Promise<
    Array<{ messageId: string; domain: string; nextAttemptAt: number; attempts: number }>
  > {
    return this.db.run(async (m) => {
      const rows = await m.find(OutboundRecipientEntity, {
        where: { status: In(['queued', 'deferred']), nextAttemptAt: LessThanOrEqual(at) },
        order: { nextAttemptAt: 'ASC' },
        take: limit,
      });
      const seen = new Map<
        string,
        { messageId: string; domain: string; nextAttemptAt: number; attempts: number }
      >();
      for (const r of rows) {
        const key = `${r.messageId} ${r.domain}`;
        if (!seen.has(key))
          seen.set(key, {
            messageId: r.messageId,
            domain: r.domain,
            nextAttemptAt: r.nextAttemptAt,
            attempts: r.attempts,
          });
      }
      return [...seen.values()];
    });
  }

  /** Records one try's results; deferred recipients get their next try time. */
  recordAttempt(
    messageId: string,
    results: RecipientResult[],
    nextAttemptAt: number,
  ): Promise<void> {
    return this.db.tx(async (m) => {
      const now = Date.now();
      for (const r of results) {
        await m
          .createQueryBuilder()
          .update(OutboundRecipientEntity)
          .set({
            status: r.status,
            attempts: () => 'attempts + 1',
            lastCode: r.code,
            lastError: r.message ? r.message.slice(0, 1000) : null,
            remoteHost: r.remoteHost,
            nextAttemptAt: r.status === 'deferred' ? nextAttemptAt : now,
            updatedAt: now,
          })
          .where('message_id = :messageId AND recipient = :recipient', {
            messageId,
            recipient: r.recipient,
          })
          .andWhere('status IN (:...pending)', { pending: ['queued', 'deferred'] })
          .execute();
      }
    });
  }

  /** Recipients still waiting for delivery (admin alerts on a backlog). */
  pendingCount(): Promise<number> {
    return this.db.run((m) =>
      m.countBy(OutboundRecipientEntity, { status: In(['queued', 'deferred']) }),
    );
  }

  /** Makes every pending recipient of a message due now (`dizi queue retry`). */
  retryNow(messageId: string): Promise<number> {
    return this.db.tx(async (m) => {
      const res = await m.update(
        OutboundRecipientEntity,
        { messageId, status: In(['queued', 'deferred']) },
        { nextAttemptAt: Date.now(), updatedAt: Date.now() },
      );
      return res.affected ?? 0;
    });
  }

  /**
   * Deletes a message and its recipients from the queue; returns the blob ids no longer
   * referenced so the caller removes the files after the commit.
   */
  remove(messageId: string): Promise<string[]> {
    return this.db.tx(async (m) => {
      const msg = await m.findOneBy(OutboundMessageEntity, { id: messageId });
      if (!msg) return [];
      await m.delete(OutboundRecipientEntity, { messageId });
      await m.delete(OutboundMessageEntity, { id: messageId });
      return releaseBlobRefs(m, [msg.blobId]);
    });
  }
}
