import type { EntityManager } from 'typeorm';
import { Database, rows, SmsMessageEntity, SmsRepository, SmsStatus } from '@dizi/store';

/** What the worker needs of a row it took for sending. */
export interface ClaimedSms {
  id: string;
  toNumber: string;
  text: string;
  sourceExtension: string | null;
}

export interface SubmittedSms {
  id: string;
  linkId: string;
  carrierIds: string[];
}

/** A report applied to its SMS; `failedNow`: this report made the SMS failed or expired. */
export interface ReportedSms {
  smsId: string;
  failedNow: boolean;
  status: SmsStatus | null;
  error: string | null;
}

export interface SegmentReport {
  linkId: string;
  carrierId: string;
  segmentStatus: string;
  carrierStatus: string;
}

/**
 * One write of the SMS hot path; each keeps the meaning of its one-row counterpart in
 * SmsRepository.
 * - insert: a new row.
 * - claim: moves the row from queued/sending to sending; null where it was not (gone,
 *   sent, failed).
 * - submitted: records the carrier ids (one segment row each), marks the row submitted.
 * - report: applies a report to its segment and derives the SMS status (ReportedSms),
 *   or null when no segment has that carrier id.
 */
export type SmsWrite =
  | { kind: 'insert'; row: SmsMessageEntity }
  | { kind: 'claim'; id: string }
  | ({ kind: 'submitted' } & SubmittedSms)
  | ({ kind: 'report' } & SegmentReport);

/** What each write answers (see SmsWrite). */
export type SmsWriteResult = ClaimedSms | ReportedSms | null;

/**
 * The SMS hot path written in batches: the writes of many SMS (inserts, claims, submits
 * and reports mixed, in arrival order) in one transaction, so that a burst costs one
 * commit (one fsync on SQLite) per batch rather than several per SMS.
 */
export interface SmsBatchStore {
  apply(writes: SmsWrite[]): Promise<SmsWriteResult[]>;
  /**
   * Whether a batch holds the event loop while it runs (SQLite's synchronous driver):
   * then batches are spaced out so the links and clients get their turn. On PostgreSQL
   * a batch waits on the network and spacing would only let the queue grow.
   */
  readonly blocksEventLoop?: boolean;
}

const INSERT_SMS =
  'INSERT INTO sms_messages (id, direction, to_number, from_number, text, status, link_id, ' +
  'segments, error, purpose, user_id, send_at, created_at, updated_at, source_extension) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const CLAIM_SMS =
  "UPDATE sms_messages SET status = 'sending', updated_at = ? " +
  "WHERE id = ? AND status IN ('queued', 'sending') " +
  'RETURNING id, to_number AS "toNumber", text, source_extension AS "sourceExtension"';
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
// Only a change of status counts: later reports of the other segments of a failed SMS
// derive 'failed' again and must not tell its listeners (a bounce) a second time.
const UPDATE_SMS_STATUS =
  'UPDATE sms_messages SET status = ?, updated_at = ?, error = ? WHERE id = ? AND status <> ? ' +
  'RETURNING id';

/**
 * Hand-written SQL (the same on SQLite and PostgreSQL), every batch one transaction. On
 * SQLite it is a group commit (Database.txGroupCommit): the fsync runs on the thread pool,
 * so the CMPP window and the HTTP clients keep being served while a batch is made durable.
 */
export class SmsBatchRepository implements SmsBatchStore {
  readonly blocksEventLoop: boolean;

  constructor(private readonly db: Database) {
    this.blocksEventLoop = db.isSqlite;
  }

  apply(writes: SmsWrite[]): Promise<SmsWriteResult[]> {
    return this.db.txGroupCommit(async (m) => {
      const now = Date.now();
      const out: SmsWriteResult[] = [];
      for (const w of writes) {
        switch (w.kind) {
          case 'insert':
            out.push(await insert(m, w.row));
            break;
          case 'claim':
            out.push((await rows<ClaimedSms>(m, CLAIM_SMS, [now, w.id]))[0] ?? null);
            break;
          case 'submitted':
            out.push(await submitted(m, w, now));
            break;
          case 'report':
            out.push(await report(m, w, now));
            break;
        }
      }
      return out;
    });
  }
}

async function insert(m: EntityManager, r: SmsMessageEntity): Promise<null> {
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
    r.sourceExtension ?? null,
  ]);
  return null;
}

async function submitted(m: EntityManager, s: SubmittedSms, now: number): Promise<null> {
  await rows(m, MARK_SUBMITTED, [s.linkId, s.carrierIds.length, now, s.id]);
  for (const [i, carrierId] of s.carrierIds.entries())
    await rows(m, INSERT_SEGMENT, [s.id, i + 1, s.linkId, carrierId, now]);
  return null;
}

async function report(
  m: EntityManager,
  r: SegmentReport,
  now: number,
): Promise<ReportedSms | null> {
  const [seg] = await rows<{ id: number; smsId: string }>(m, FIND_SEGMENT, [r.linkId, r.carrierId]);
  if (!seg) return null;
  await rows(m, UPDATE_SEGMENT, [r.segmentStatus, r.carrierStatus, now, seg.id]);
  const statuses = (await rows<{ status: string }>(m, SEGMENT_STATUSES, [seg.smsId])).map(
    (s) => s.status,
  );
  const next = smsStatusOf(statuses);
  const error = next && next !== 'delivered' ? `carrier status ${r.carrierStatus}` : null;
  let changed = false;
  if (next) {
    changed = (await rows(m, UPDATE_SMS_STATUS, [next, now, error, seg.smsId, next])).length > 0;
  }
  return {
    smsId: seg.smsId,
    status: next,
    error,
    failedNow: changed && (next === 'failed' || next === 'expired'),
  };
}

/** delivered when every segment is, expired/failed as soon as one is; null = no change. */
export function smsStatusOf(segmentStatuses: string[]): SmsStatus | null {
  if (segmentStatuses.every((s) => s === 'delivered')) return 'delivered';
  if (segmentStatuses.includes('expired')) return 'expired';
  if (segmentStatuses.includes('failed')) return 'failed';
  return null;
}

/** The batch store for a repository: hand-written batches over the repository's Database. */
export function batchStoreFor(repo: SmsRepository): SmsBatchStore {
  return new SmsBatchRepository(repo.database);
}
