import { EntityManager } from 'typeorm';
import { Database } from './database';
import { placeholder } from './directory.repository';
import {
  BlobEntity,
  FolderEntity,
  InboundDeliveryEntity,
  MessageEntity,
  UserEntity,
} from './entities';

/** Decoded header fields kept with every copy, for lists, alerts and IMAP ENVELOPE speed-ups. */
export interface MessageSummary {
  subject: string;
  from: string;
  to: string;
  messageId: string;
}

export interface DeliveryTarget {
  userId: number;
  /** The recipient address this copy is for; with the spool id it makes delivery idempotent. */
  recipient: string;
  folder: string;
  flags?: string;
}

export type DeliveryOutcome =
  | {
      recipient: string;
      status: 'delivered';
      userId: number;
      messageId: number;
      uid: number;
      usedBytes: number;
      quotaBytes: number;
    }
  | { recipient: string; status: 'duplicate' }
  | { recipient: string; status: 'over-quota' }
  | { recipient: string; status: 'no-folder' };

export interface StoredMessage {
  spoolId: string;
  blobId: string;
  size: number;
  internalDate: number;
  summary: MessageSummary;
}

/** SQL for folders and message copies: what local delivery and the access protocols use. */
export class MailboxRepository {
  constructor(private readonly db: Database) {}

  /**
   * Puts one copy of a stored message into each target's folder in ONE transaction with
   * quota accounting: the user's used bytes grow only if the copy fits, UIDs and
   * MODSEQs are allocated from the folder row, and an inbound_deliveries row makes a
   * re-run after a crash skip what is already there.
   */
  deliver(msg: StoredMessage, targets: DeliveryTarget[]): Promise<DeliveryOutcome[]> {
    return this.db.tx(async (m) => {
      const outcomes: DeliveryOutcome[] = [];
      let added = 0;
      for (const t of targets) {
        const done = await m.findOneBy(InboundDeliveryEntity, {
          spoolId: msg.spoolId,
          recipient: t.recipient,
        });
        if (done) {
          outcomes.push({ recipient: t.recipient, status: 'duplicate' });
          continue;
        }
        const folder = await m.findOneBy(FolderEntity, { userId: t.userId, name: t.folder });
        if (!folder) {
          outcomes.push({ recipient: t.recipient, status: 'no-folder' });
          continue;
        }
        const p = (n: number) => placeholder(m, n);
        const res = await m
          .createQueryBuilder()
          .update(UserEntity)
          .set({ usedBytes: () => `used_bytes + ${Number(msg.size)}` })
          .where('id = :id', { id: t.userId })
          .andWhere(`(quota_bytes = 0 OR used_bytes + ${Number(msg.size)} <= quota_bytes)`)
          .execute();
        if (!res.affected) {
          outcomes.push({ recipient: t.recipient, status: 'over-quota' });
          continue;
        }
        // The UPDATE takes the folder row lock (PostgreSQL) before we read the new values.
        await m.query(
          `UPDATE folders SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1 WHERE id = ${p(1)}`,
          [folder.id],
        );
        const [counters] = (await m.query(
          `SELECT uid_next, highest_modseq FROM folders WHERE id = ${p(1)}`,
          [folder.id],
        )) as Array<{ uid_next: number | string; highest_modseq: number | string }>;
        const uid = Number(counters.uid_next) - 1;
        const saved = await m.save(
          m.create(MessageEntity, {
            folderId: folder.id,
            uid,
            blobId: msg.blobId,
            modseq: Number(counters.highest_modseq),
            flags: t.flags ?? '',
            size: msg.size,
            internalDate: msg.internalDate,
            subject: clip(msg.summary.subject),
            fromAddr: clip(msg.summary.from),
            toAddr: clip(msg.summary.to),
            messageId: clip(msg.summary.messageId),
          }),
        );
        await m.save(
          m.create(InboundDeliveryEntity, {
            spoolId: msg.spoolId,
            recipient: t.recipient,
            createdAt: Date.now(),
          }),
        );
        const user = await m.findOneByOrFail(UserEntity, { id: t.userId });
        outcomes.push({
          recipient: t.recipient,
          status: 'delivered',
          userId: t.userId,
          messageId: saved.id,
          uid,
          usedBytes: user.usedBytes,
          quotaBytes: user.quotaBytes,
        });
        added++;
      }
      if (added) await addBlobRefs(m, msg.blobId, msg.size, added);
      return outcomes;
    });
  }

  findFolder(userId: number, name: string): Promise<FolderEntity | null> {
    return this.db.run((m) => m.findOneBy(FolderEntity, { userId, name }));
  }
  listFolders(userId: number): Promise<FolderEntity[]> {
    return this.db.run((m) => m.find(FolderEntity, { where: { userId }, order: { name: 'ASC' } }));
  }
  listMessages(folderId: number): Promise<MessageEntity[]> {
    return this.db.run((m) =>
      m.find(MessageEntity, { where: { folderId }, order: { uid: 'ASC' } }),
    );
  }
  /** Forgets the idempotency marks of a finished spool entry. */
  forgetSpool(spoolId: string): Promise<void> {
    return this.db.run(async (m) => {
      await m.delete(InboundDeliveryEntity, { spoolId });
    });
  }
}

/** Creates the blob row if needed and adds `n` references to it. */
export async function addBlobRefs(
  m: EntityManager,
  blobId: string,
  size: number,
  n: number,
): Promise<void> {
  const p = (k: number) => placeholder(m, k);
  const existing = await m.findOneBy(BlobEntity, { id: blobId });
  if (existing) {
    await m.query(`UPDATE blobs SET refs = refs + ${n} WHERE id = ${p(1)}`, [blobId]);
  } else {
    await m.save(m.create(BlobEntity, { id: blobId, size, refs: n }));
  }
}

function clip(s: string): string {
  // Column limit 998 characters (the RFC 5322 line limit); keep whole code points.
  return s.length > 990 ? Array.from(s).slice(0, 990).join('') : s;
}
