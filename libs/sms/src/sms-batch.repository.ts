import { Database, rows, SmsMessageEntity, SmsRepository, SmsStatus } from '@dizi/store';

/** What the worker needs of a row it took for sending. */
export interface ClaimedSms {
  id: string;
  toNumber: string;
  text: string;
}

export interface SubmittedSms {
  id: string;
  linkId: string;
  carrierIds: string[];
}

export interface SegmentReport {
  linkId: string;
  carrierId: string;
  segmentStatus: string;
  carrierStatus: string;
}

/**
 * The SMS hot path written in batches: many rows per transaction, so that a burst of
 * SMS costs one commit (one fsync on SQLite) per batch rather than several per SMS.
 * Each method keeps the meaning of its one-row counterpart in SmsRepository.
 */
export interface SmsBatchStore {
  /** Inserts new rows. */
  insertMany(rows: SmsMessageEntity[]): Promise<void>;
  /** Moves each row from queued/sending to sending; null where it was not (gone, sent, failed). */
  claimMany(ids: string[]): Promise<(ClaimedSms | null)[]>;
  /** Records carrier ids (one segment row each) and marks the rows submitted. */
  submittedMany(items: SubmittedSms[]): Promise<void>;
  /** Applies reports to their segments and derives each SMS status; the SMS id, or null. */
  reportMany(reports: SegmentReport[]): Promise<(string | null)[]>;
}

const INSERT_SMS =
  'INSERT INTO sms_messages (id, direction, to_number, from_number, text, status, link_id, ' +
  'segments, error, purpose, user_id, send_at, created_at, updated_at) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const CLAIM_SMS =
  "UPDATE sms_messages SET status = 'sending', updated_at = ? " +
  "WHERE id = ? AND status IN ('queued', 'sending') " +
  'RETURNING id, to_number AS "toNumber", text';
const MARK_SUBMITTED =
  "UPDATE sms_messages SET status = 'submitted', link_id = ?, segments = ?, error = NULL, " +
  'updated_at = ? WHERE id = ?';
const INSERT_SEGMENT =
  'INSERT INTO sms_segments (sms_id, seq, link_id, carrier_id, status, carrier_status, ' +
  "updated_at) VALUES (?, ?, ?, ?, 'submitted', NULL, ?)";
const FIND_SEGMENT =
  'SELECT id, sms_id AS "smsId" FROM sms_segments WHERE link_id = ? AND carrier_id = ? ' +
  'ORDER BY id DESC LIMIT 1';
const UPDATE_SEGMENT =
  'UPDATE sms_segments SET status = ?, carrier_status = ?, updated_at = ? WHERE id = ?';
const SEGMENT_STATUSES = 'SELECT status FROM sms_segments WHERE sms_id = ?';
const UPDATE_SMS_STATUS =
  'UPDATE sms_messages SET status = ?, updated_at = ?, error = ? WHERE id = ?';

/** Hand-written SQL (the same on SQLite and PostgreSQL), every batch one transaction. */
export class SmsBatchRepository implements SmsBatchStore {
  constructor(private readonly db: Database) {}

  insertMany(list: SmsMessageEntity[]): Promise<void> {
    return this.db.tx(async (m) => {
      for (const r of list) {
        await rows(m, INSERT_SMS, [
          r.id,
          r.direction,
          r.toNumber,
          r.fromNumber,
          r.text,
          r.status,
          r.linkId,
          r.segments,
          r.error,
          r.purpose,
          r.userId,
          r.sendAt,
          r.createdAt,
          r.updatedAt,
        ]);
      }
    });
  }

  claimMany(ids: string[]): Promise<(ClaimedSms | null)[]> {
    return this.db.tx(async (m) => {
      const now = Date.now();
      const out: (ClaimedSms | null)[] = [];
      for (const id of ids) out.push((await rows<ClaimedSms>(m, CLAIM_SMS, [now, id]))[0] ?? null);
      return out;
    });
  }

  submittedMany(items: SubmittedSms[]): Promise<void> {
    return this.db.tx(async (m) => {
      const now = Date.now();
      for (const s of items) {
        await rows(m, MARK_SUBMITTED, [s.linkId, s.carrierIds.length, now, s.id]);
        for (const [i, carrierId] of s.carrierIds.entries())
          await rows(m, INSERT_SEGMENT, [s.id, i + 1, s.linkId, carrierId, now]);
      }
    });
  }

  reportMany(reports: SegmentReport[]): Promise<(string | null)[]> {
    return this.db.tx(async (m) => {
      const now = Date.now();
      const out: (string | null)[] = [];
      for (const r of reports) {
        const [seg] = await rows<{ id: number; smsId: string }>(m, FIND_SEGMENT, [
          r.linkId,
          r.carrierId,
        ]);
        if (!seg) {
          out.push(null);
          continue;
        }
        await rows(m, UPDATE_SEGMENT, [r.segmentStatus, r.carrierStatus, now, seg.id]);
        const statuses = (await rows<{ status: string }>(m, SEGMENT_STATUSES, [seg.smsId])).map(
          (s) => s.status,
        );
        const next = smsStatusOf(statuses);
        if (next) {
          await rows(m, UPDATE_SMS_STATUS, [
            next,
            now,
            next === 'delivered' ? null : `carrier status ${r.carrierStatus}`,
            seg.smsId,
          ]);
        }
        out.push(seg.smsId);
      }
      return out;
    });
  }
}

/** delivered when every segment is, expired/failed as soon as one is; null = no change. */
export function smsStatusOf(segmentStatuses: string[]): SmsStatus | null {
  if (segmentStatuses.every((s) => s === 'delivered')) return 'delivered';
  if (segmentStatuses.includes('expired')) return 'expired';
  if (segmentStatuses.includes('failed')) return 'failed';
  return null;
}

/** The same operations one row at a time over SmsRepository (no batching). */
export class PerRowSmsBatchStore implements SmsBatchStore {
  constructor(private readonly repo: SmsRepository) {}

  async insertMany(list: SmsMessageEntity[]): Promise<void> {
    for (const r of list) {
      const { createdAt: _c, updatedAt: _u, ...row } = r;
      await this.repo.insert(row);
    }
  }

  async claimMany(ids: string[]): Promise<(ClaimedSms | null)[]> {
    const out: (ClaimedSms | null)[] = [];
    for (const id of ids) {
      const row = await this.repo.get(id);
      const ok = !!row && (await this.repo.transition(id, ['queued', 'sending'], 'sending'));
      out.push(ok && row ? { id, toNumber: row.toNumber, text: row.text } : null);
    }
    return out;
  }

  async submittedMany(items: SubmittedSms[]): Promise<void> {
    for (const s of items) await this.repo.submitted(s.id, s.linkId, s.carrierIds);
  }

  async reportMany(reports: SegmentReport[]): Promise<(string | null)[]> {
    const out: (string | null)[] = [];
    for (const r of reports)
      out.push(await this.repo.report(r.linkId, r.carrierId, r.segmentStatus, r.carrierStatus));
    return out;
  }
}

/**
 * The batch store for a repository: hand-written batches over the repository's own
 * Database. The server builds SmsService from an SmsRepository only, so its database is
 * read from there; should that ever fail, the rows are written one at a time instead.
 */
export function batchStoreFor(repo: SmsRepository): SmsBatchStore {
  const db = (repo as unknown as { db?: unknown }).db;
  return db instanceof Database ? new SmsBatchRepository(db) : new PerRowSmsBatchStore(repo);
}
