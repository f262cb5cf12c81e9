import type { Database as SqliteConnection, Statement } from 'better-sqlite3';
import { EntityManager, In, MoreThan } from 'typeorm';
import { Database } from './database';
import { releaseBlobRefs } from './directory.repository';
import { rows } from './raw-sql';
import {
  ExpungedMessageEntity,
  FolderEntity,
  InboundDeliveryEntity,
  MessageEntity,
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
      folderId: number;
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

/** Raised for a refused folder operation; `code` matches IMAP's response codes. */
export class MailboxError extends Error {
  override name = 'MailboxError';
  constructor(
    readonly code: 'NONEXISTENT' | 'ALREADYEXISTS' | 'OVERQUOTA' | 'CANNOT',
    message: string,
  ) {
    super(message);
  }
}

/** What a folder listing needs of each message. */
export interface FolderMessageRow {
  uid: number;
  /** Space-separated flags, as stored. */
  flags: string;
  modseq: number;
  internalDate: number;
  size: number;
}

export interface FlagChange {
  updated: MessageEntity[];
  /** UIDs not changed because their MODSEQ passed `unchangedSince` (RFC 7162). */
  modified: number[];
}

export interface CopyOutcome {
  uidValidity: number;
  sourceUids: number[];
  destinationUids: number[];
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
  async deliver(msg: StoredMessage, targets: DeliveryTarget[]): Promise<DeliveryOutcome[]> {
    return (await this.deliverMany([{ msg, targets }]))[0];
  }

  /**
   * `deliver` for a batch of messages in ONE transaction (one commit, one fsync, shared
   * with concurrent batches and run off the event loop: Database.txGroupCommit), and
   * the idempotency marks of spool entries finished earlier forgotten in the same go.
   * Hand-written SQL only: this is the hottest path of the server.
   */
  deliverMany(
    items: Array<{ msg: StoredMessage; targets: DeliveryTarget[] }>,
    forgetSpoolIds: string[] = [],
  ): Promise<DeliveryOutcome[][]> {
    return this.db.txGroupCommit(async (m) => {
      if (forgetSpoolIds.length) {
        await rows(
          m,
          `DELETE FROM inbound_deliveries WHERE spool_id IN (${forgetSpoolIds.map(() => '?').join(',')})`,
          forgetSpoolIds,
        );
      }
      const folderIds = new Map<string, number | null>();
      const folderOf = async (userId: number, name: string) => {
        const key = `${userId}/${name}`;
        if (!folderIds.has(key)) {
          const [f] = await rows<{ id: number }>(
            m,
            'SELECT id FROM folders WHERE user_id = ? AND name = ?',
            [userId, name],
          );
          folderIds.set(key, f ? Number(f.id) : null);
        }
        return folderIds.get(key)!;
      };
      const result: DeliveryOutcome[][] = [];
      for (const { msg, targets } of items) {
        const outcomes: DeliveryOutcome[] = [];
        let added = 0;
        for (const t of targets) {
          const done = await rows(
            m,
            'SELECT 1 AS x FROM inbound_deliveries WHERE spool_id = ? AND recipient = ?',
            [msg.spoolId, t.recipient],
          );
          if (done.length) {
            outcomes.push({ recipient: t.recipient, status: 'duplicate' });
            continue;
          }
          const folderId = await folderOf(t.userId, t.folder);
          if (folderId === null) {
            outcomes.push({ recipient: t.recipient, status: 'no-folder' });
            continue;
          }
          const copy = await insertCopy(m, folderId, t.userId, msg, t.flags ?? '');
          if (!copy) {
            outcomes.push({ recipient: t.recipient, status: 'over-quota' });
            continue;
          }
          await rows(
            m,
            'INSERT INTO inbound_deliveries (spool_id, recipient, created_at) VALUES (?, ?, ?)',
            [msg.spoolId, t.recipient, Date.now()],
          );
          outcomes.push({
            recipient: t.recipient,
            status: 'delivered',
            userId: t.userId,
            folderId,
            ...copy,
          });
          added++;
        }
        if (added) await addBlobRefs(m, msg.blobId, msg.size, added);
        result.push(outcomes);
      }
      return result;
    });
  }

  /** Adds a message to a folder (IMAP APPEND); the blob must already be stored. */
  append(
    userId: number,
    folderName: string,
    msg: Omit<StoredMessage, 'spoolId'>,
    flags: string,
  ): Promise<{ uidValidity: number; uid: number }> {
    return this.db.tx(async (m) => {
      const folder = await requireFolder(m, userId, folderName);
      const copy = await insertCopy(m, folder.id, userId, msg, flags);
      if (!copy) throw new MailboxError('OVERQUOTA', 'the mailbox is full');
      await addBlobRefs(m, msg.blobId, msg.size, 1);
      return { uidValidity: folder.uidValidity, uid: copy.uid };
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
  /**
   * Where a message's bytes are: one parameterized statement (the same SQL text every
   * time, so it stays prepared); called for every message IMAP FETCH and POP3 RETR send.
   */
  locateMessage(
    userId: number,
    folderName: string,
    uid: number,
  ): Promise<{ blobId: string; size: number } | null> {
    return this.db.run(async (m) => {
      const [r] = await rows<{ blob_id: string; size: number | string }>(
        m,
        'SELECT m.blob_id, m.size FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.user_id = ? AND f.name = ? AND m.uid = ?',
        [userId, folderName, uid],
      );
      return r ? { blobId: r.blob_id, size: Number(r.size) } : null;
    });
  }
  /**
   * Where the bytes of a folder's messages with UIDs in `[fromUid, toUid]` are, by UID:
   * ONE query for a whole FETCH, SEARCH or POP3 session instead of one per message. A
   * range rather than a list keeps the SQL text fixed (one prepared statement); UIDs the
   * caller did not ask for cost a row each, nothing more. An unknown folder gives an
   * empty map, as if its messages were gone.
   */
  locateMessages(
    userId: number,
    folderName: string,
    fromUid: number,
    toUid: number,
  ): Promise<Map<number, { blobId: string; size: number }>> {
    const sql =
      'SELECT m.uid, m.blob_id, m.size FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.user_id = ? AND f.name = ? AND m.uid BETWEEN ? AND ?';
    return this.db.run(async (m) => {
      const params = [userId, folderName, fromUid, toUid];
      const found =
        sqliteRows<[number, string, number]>(m, sql, params) ??
        (
          await rows<{ uid: number | string; blob_id: string; size: number | string }>(
            m,
            sql,
            params,
          )
        ).map((r): [number, string, number] => [Number(r.uid), r.blob_id, Number(r.size)]);
      const located = new Map<number, { blobId: string; size: number }>();
      for (const [uid, blobId, size] of found)
        located.set(Number(uid), { blobId, size: Number(size) });
      return located;
    });
  }
  findMessage(folderId: number, uid: number): Promise<MessageEntity | null> {
    return this.db.run((m) => m.findOneBy(MessageEntity, { folderId, uid }));
  }
  countMessages(userId: number): Promise<number> {
    return this.db.run(async (m) => {
      const [row] = await rows<{ n: number | string }>(
        m,
        'SELECT COUNT(*) AS n FROM messages WHERE folder_id IN (SELECT id FROM folders WHERE user_id = ?)',
        [userId],
      );
      return Number(row.n);
    });
  }

  createFolder(userId: number, name: string, specialUse: string | null): Promise<FolderEntity> {
    return this.db.tx(async (m) => {
      if (await m.findOneBy(FolderEntity, { userId, name }))
        throw new MailboxError('ALREADYEXISTS', `folder ${name} exists`);
      // UIDVALIDITY must never repeat for a name (RFC 3501 2.3.1.1): above every value used.
      const [row] = await rows<{ v: number | string | null }>(
        m,
        'SELECT MAX(uid_validity) AS v FROM folders WHERE user_id = ?',
        [userId],
      );
      const uidValidity = Math.max(Math.floor(Date.now() / 1000), Number(row.v ?? 0) + 1);
      return m.save(
        m.create(FolderEntity, {
          userId,
          name,
          specialUse,
          uidValidity,
          uidNext: 1,
          highestModseq: 1,
          subscribed: true,
          recentUid: 0,
        }),
      );
    });
  }

  /** Renames a folder and every folder below it (`name/…`). */
  renameFolder(userId: number, from: string, to: string): Promise<void> {
    return this.db.tx(async (m) => {
      await requireFolder(m, userId, from);
      if (await m.findOneBy(FolderEntity, { userId, name: to }))
        throw new MailboxError('ALREADYEXISTS', `folder ${to} exists`);
      const all = await m.findBy(FolderEntity, { userId });
      for (const f of all) {
        if (f.name === from || f.name.startsWith(`${from}/`)) {
          await m.update(FolderEntity, { id: f.id }, { name: to + f.name.slice(from.length) });
        }
      }
    });
  }

  /** Deletes a folder with its messages; returns blob ids no longer used (delete after commit). */
  deleteFolder(userId: number, name: string): Promise<string[]> {
    return this.db.tx(async (m) => {
      const folder = await requireFolder(m, userId, name);
      const msgs = await m.findBy(MessageEntity, { folderId: folder.id });
      const bytes = msgs.reduce((n, x) => n + x.size, 0);
      await m.delete(MessageEntity, { folderId: folder.id });
      await m.delete(ExpungedMessageEntity, { folderId: folder.id });
      await m.delete(FolderEntity, { id: folder.id });
      if (bytes) await adjustUsed(m, userId, -bytes);
      return releaseBlobRefs(
        m,
        msgs.map((x) => x.blobId),
      );
    });
  }

  setSubscribed(userId: number, name: string, subscribed: boolean): Promise<void> {
    return this.db.tx(async (m) => {
      const folder = await requireFolder(m, userId, name);
      await m.update(FolderEntity, { id: folder.id }, { subscribed });
    });
  }

  /**
   * A folder's state for SELECT. With `claimRecent`, the UIDs above the folder's
   * recent mark are returned as recent and the mark moves past them, so only one
   * session is told (RFC 3501 2.3.2).
   */
  snapshot(
    userId: number,
    name: string,
    claimRecent: boolean,
  ): Promise<{ folder: FolderEntity; messages: FolderMessageRow[]; recentUids: number[] }> {
    return this.db.tx(async (m) => {
      const folder = await requireFolder(m, userId, name);
      // Raw rows: hydrating thousands of entities costs more than the query.
      const sql =
        'SELECT uid, flags, modseq, internal_date, size FROM messages WHERE folder_id = ? ORDER BY uid';
      const found =
        sqliteRows<[number, string, number, number, number]>(m, sql, [folder.id]) ??
        (
          await rows<{
            uid: number;
            flags: string;
            modseq: number | string;
            internal_date: number | string;
            size: number | string;
          }>(m, sql, [folder.id])
        ).map((r): [number, string, number, number, number] => [
          Number(r.uid),
          r.flags,
          Number(r.modseq),
          Number(r.internal_date),
          Number(r.size),
        ]);
      // Number(): a driver may hand out 64-bit integers as strings or bigints.
      const messages = found.map(([uid, flags, modseq, internalDate, size]) => ({
        uid: Number(uid),
        flags,
        modseq: Number(modseq),
        internalDate: Number(internalDate),
        size: Number(size),
      }));
      const recentUids = messages.filter((x) => x.uid > folder.recentUid).map((x) => x.uid);
      if (claimRecent && recentUids.length) {
        await m.update(
          FolderEntity,
          { id: folder.id },
          { recentUid: recentUids[recentUids.length - 1] },
        );
      }
      return { folder, messages, recentUids };
    });
  }

  /** Changes flags; every changed message gets a new MODSEQ (RFC 7162). */
  storeFlags(
    userId: number,
    name: string,
    uids: readonly number[],
    change: (current: string[]) => string[],
    unchangedSince?: number,
  ): Promise<FlagChange> {
    return this.db.tx(async (m) => {
      const folder = await requireFolder(m, userId, name);
      const rows = uids.length
        ? await m.find(MessageEntity, {
            where: { folderId: folder.id, uid: In([...uids]) },
            order: { uid: 'ASC' },
          })
        : [];
      const updated: MessageEntity[] = [];
      const modified: number[] = [];
      for (const row of rows) {
        if (unchangedSince !== undefined && row.modseq > unchangedSince) {
          modified.push(row.uid);
          continue;
        }
        const before = splitFlags(row.flags);
        const after = [...new Set(change(before))];
        if (sameSet(before, after)) continue;
        const { modseq } = await bumpFolder(m, folder.id, 0);
        row.flags = after.join(' ');
        row.modseq = modseq;
        await m.update(MessageEntity, { id: row.id }, { flags: row.flags, modseq });
        updated.push(row);
      }
      return { updated, modified };
    });
  }

  /** Copies messages (sharing their blobs); with `move`, removes the originals in the same transaction. */
  copyMessages(
    userId: number,
    from: string,
    uids: readonly number[],
    to: string,
    move: boolean,
  ): Promise<CopyOutcome & { freed: string[] }> {
    return this.db.tx(async (m) => {
      const src = await requireFolder(m, userId, from);
      const dst = await requireFolder(m, userId, to);
      const rows = uids.length
        ? await m.find(MessageEntity, {
            where: { folderId: src.id, uid: In([...uids]) },
            order: { uid: 'ASC' },
          })
        : [];
      const sourceUids: number[] = [];
      const destinationUids: number[] = [];
      for (const row of rows) {
        const copy = await insertCopy(
          m,
          dst.id,
          userId,
          {
            blobId: row.blobId,
            size: row.size,
            internalDate: row.internalDate,
            summary: {
              subject: row.subject,
              from: row.fromAddr,
              to: row.toAddr,
              messageId: row.messageId,
            },
          },
          row.flags,
        );
        if (!copy) throw new MailboxError('OVERQUOTA', 'the mailbox is full');
        await addBlobRefs(m, row.blobId, row.size, 1);
        sourceUids.push(row.uid);
        destinationUids.push(copy.uid);
      }
      const freed = move ? await removeMessages(m, src.id, userId, rows) : [];
      return { uidValidity: dst.uidValidity, sourceUids, destinationUids, freed };
    });
  }

  /** Removes the messages flagged \Deleted (among `uids` when given). */
  expunge(
    userId: number,
    name: string,
    uids?: readonly number[],
  ): Promise<{ uids: number[]; freed: string[] }> {
    return this.db.tx(async (m) => {
      const folder = await requireFolder(m, userId, name);
      const rows = (
        await m.find(MessageEntity, { where: { folderId: folder.id }, order: { uid: 'ASC' } })
      ).filter((r) => splitFlags(r.flags).includes('\\Deleted') && (!uids || uids.includes(r.uid)));
      const freed = await removeMessages(m, folder.id, userId, rows);
      return { uids: rows.map((r) => r.uid), freed };
    });
  }

  expungedSince(userId: number, name: string, modseq: number): Promise<number[]> {
    return this.db.run(async (m) => {
      const folder = await m.findOneBy(FolderEntity, { userId, name });
      if (!folder) throw new MailboxError('NONEXISTENT', `no folder ${name}`);
      const rows = await m.find(ExpungedMessageEntity, {
        where: { folderId: folder.id, modseq: MoreThan(modseq) },
        order: { uid: 'ASC' },
      });
      return rows.map((r) => r.uid);
    });
  }

  /** Forgets the idempotency marks of a finished spool entry. */
  forgetSpool(spoolId: string): Promise<void> {
    return this.db.run(async (m) => {
      await m.delete(InboundDeliveryEntity, { spoolId });
    });
  }
}

/** Prepared statements of the raw read path, per SQLite connection (the SQL texts are fixed). */
const sqliteStatements = new WeakMap<SqliteConnection, Map<string, Statement>>();

/**
 * On SQLite, runs a read on the better-sqlite3 connection itself, rows as arrays: for
 * the thousands of rows of a SELECT or a FETCH 1:*, building an object per row (TypeORM's
 * query runner does) costs three times the query. Undefined on PostgreSQL: the caller
 * goes through `rows`. Same connection, so it sees the caller's transaction.
 */
function sqliteRows<T extends unknown[]>(
  m: EntityManager,
  sql: string,
  params: unknown[],
): T[] | undefined {
  if (m.connection.options.type !== 'better-sqlite3') return undefined;
  const connection = (m.connection.driver as unknown as { databaseConnection?: SqliteConnection })
    .databaseConnection;
  if (!connection) return undefined;
  let statements = sqliteStatements.get(connection);
  if (!statements) sqliteStatements.set(connection, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = connection.prepare(sql).raw(true)));
  return statement.all(...params) as T[];
}

export function splitFlags(flags: string): string[] {
  return flags ? flags.split(' ').filter(Boolean) : [];
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

async function requireFolder(
  m: EntityManager,
  userId: number,
  name: string,
): Promise<FolderEntity> {
  const folder = await m.findOneBy(FolderEntity, { userId, name });
  if (!folder) throw new MailboxError('NONEXISTENT', `no folder ${name}`);
  return folder;
}

async function adjustUsed(m: EntityManager, userId: number, delta: number): Promise<void> {
  await rows(m, 'UPDATE users SET used_bytes = used_bytes + ? WHERE id = ?', [
    Math.trunc(delta),
    userId,
  ]);
}

/** Deletes rows, leaves QRESYNC tombstones, gives the bytes back, releases blobs. */
async function removeMessages(
  m: EntityManager,
  folderId: number,
  userId: number,
  rows: MessageEntity[],
): Promise<string[]> {
  if (!rows.length) return [];
  const { modseq } = await bumpFolder(m, folderId, 0);
  await m.delete(MessageEntity, { id: In(rows.map((r) => r.id)) });
  for (const r of rows)
    await m.save(m.create(ExpungedMessageEntity, { folderId, uid: r.uid, modseq }));
  await adjustUsed(m, userId, -rows.reduce((n, r) => n + r.size, 0));
  return releaseBlobRefs(
    m,
    rows.map((r) => r.blobId),
  );
}

/**
 * Adds one copy of a stored message to a folder: grows the owner's used bytes only if
 * the copy fits the quota (one conditional UPDATE, atomic on SQLite and PostgreSQL),
 * then takes the next UID and MODSEQ from the folder row. Returns null when over quota.
 * The caller adds the blob reference.
 */
export async function insertCopy(
  m: EntityManager,
  folderId: number,
  userId: number,
  msg: Pick<StoredMessage, 'blobId' | 'size' | 'internalDate' | 'summary'>,
  flags: string,
): Promise<{ messageId: number; uid: number; usedBytes: number; quotaBytes: number } | null> {
  const size = Number(msg.size);
  const [user] = await rows<{ used_bytes: number | string; quota_bytes: number | string }>(
    m,
    'UPDATE users SET used_bytes = used_bytes + ? WHERE id = ? AND (quota_bytes = 0 OR used_bytes + ? <= quota_bytes) RETURNING used_bytes, quota_bytes',
    [size, userId, size],
  );
  if (!user) return null;
  const { uidNext, modseq } = await bumpFolder(m, folderId, 1);
  const uid = uidNext - 1;
  const [row] = await rows<{ id: number }>(
    m,
    'INSERT INTO messages (folder_id, uid, blob_id, modseq, flags, size, internal_date, subject, from_addr, to_addr, message_id) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [
      folderId,
      uid,
      msg.blobId,
      modseq,
      flags,
      size,
      msg.internalDate,
      clip(msg.summary.subject),
      clip(msg.summary.from),
      clip(msg.summary.to),
      clip(msg.summary.messageId),
    ],
  );
  return {
    messageId: Number(row.id),
    uid,
    usedBytes: Number(user.used_bytes),
    quotaBytes: Number(user.quota_bytes),
  };
}

/**
 * Takes `uids` new UIDs (0 for none) and one new MODSEQ from a folder. The UPDATE comes
 * first so PostgreSQL holds the row lock before the values are read back.
 */
export async function bumpFolder(
  m: EntityManager,
  folderId: number,
  uids: number,
): Promise<{ uidNext: number; modseq: number }> {
  const [row] = await rows<{ uid_next: number | string; highest_modseq: number | string }>(
    m,
    `UPDATE folders SET uid_next = uid_next + ${Math.trunc(uids)}, highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING uid_next, highest_modseq`,
    [folderId],
  );
  return { uidNext: Number(row.uid_next), modseq: Number(row.highest_modseq) };
}

/** Creates the blob row if needed and adds `n` references to it (one upsert). */
export async function addBlobRefs(
  m: EntityManager,
  blobId: string,
  size: number,
  n: number,
): Promise<void> {
  await rows(
    m,
    'INSERT INTO blobs (id, size, refs) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET refs = blobs.refs + excluded.refs',
    [blobId, size, n],
  );
}

function clip(s: string): string {
  // PostgreSQL text cannot hold NUL; a header may (broken or hostile mail). The summary
  // is for display only: the stored message keeps its bytes.
  const clean = s.includes('\u0000') ? s.split('\u0000').join('') : s;
  // Column limit 998 characters (the RFC 5322 line limit); keep whole code points.
  return clean.length > 990 ? Array.from(clean).slice(0, 990).join('') : clean;
}
