import { In } from 'typeorm';
import { Database } from './database';
import { SmsMessageEntity, SmsSegmentEntity, SmsStatus } from './entities';

/** SQL for SMS rows and segments. */
export class SmsRepository {
  constructor(private readonly db: Database) {}

  /** The database, for writers that batch several SMS statements in one transaction. */
  get database(): Database {
    return this.db;
  }

  insert(
    row: Omit<SmsMessageEntity, 'createdAt' | 'updatedAt' | 'sourceExtension'> &
      Partial<Pick<SmsMessageEntity, 'sourceExtension'>>,
  ): Promise<SmsMessageEntity> {
    const now = Date.now();
    return this.db.tx((m) =>
      m.save(
        m.create(SmsMessageEntity, {
          sourceExtension: null,
          ...row,
          createdAt: now,
          updatedAt: now,
        }),
      ),
    );
  }

  get(id: string): Promise<SmsMessageEntity | null> {
    return this.db.run((m) => m.findOneBy(SmsMessageEntity, { id }));
  }

  segments(smsId: string): Promise<SmsSegmentEntity[]> {
    return this.db.run((m) =>
      m.find(SmsSegmentEntity, { where: { smsId }, order: { seq: 'ASC' } }),
    );
  }

  /** Moves a row from one status to another; false if it was not in `from` (someone else has it). */
  transition(
    id: string,
    from: SmsStatus[],
    to: SmsStatus,
    patch: Partial<Pick<SmsMessageEntity, 'error' | 'linkId' | 'segments'>> = {},
  ): Promise<boolean> {
    return this.db.tx(async (m) => {
      const r = await m.update(
        SmsMessageEntity,
        { id, status: In(from) },
        { ...patch, status: to, updatedAt: Date.now() },
      );
      return (r.affected ?? 0) > 0;
    });
  }

  /** Records the carrier ids of a submitted SMS, one segment row each. */
  submitted(id: string, linkId: string, carrierIds: string[]): Promise<void> {
    return this.db.tx(async (m) => {
      const now = Date.now();
      await m.update(
        SmsMessageEntity,
        { id },
        { status: 'submitted', linkId, segments: carrierIds.length, error: null, updatedAt: now },
      );
      for (const [i, carrierId] of carrierIds.entries()) {
        await m.save(
          m.create(SmsSegmentEntity, {
            smsId: id,
            seq: i + 1,
            linkId,
            carrierId,
            status: 'submitted',
            carrierStatus: null,
            updatedAt: now,
          }),
        );
      }
    });
  }

  /**
   * Applies a delivery report to its segment and derives the SMS status: delivered when
   * every segment is, failed/expired as soon as one is. Returns the SMS id, or null
   * when no segment has that carrier id (a report for something we never sent).
   */
  report(
    linkId: string,
    carrierId: string,
    segmentStatus: string,
    carrierStatus: string,
  ): Promise<string | null> {
    return this.db.tx(async (m) => {
      const seg = await m.findOne(SmsSegmentEntity, {
        where: { linkId, carrierId },
        order: { id: 'DESC' },
      });
      if (!seg) return null;
      const now = Date.now();
      await m.update(
        SmsSegmentEntity,
        { id: seg.id },
        { status: segmentStatus, carrierStatus, updatedAt: now },
      );
      const all = await m.findBy(SmsSegmentEntity, { smsId: seg.smsId });
      const statuses = all.map((s) => (s.id === seg.id ? segmentStatus : s.status));
      const next: SmsStatus | null = statuses.every((s) => s === 'delivered')
        ? 'delivered'
        : statuses.includes('expired')
          ? 'expired'
          : statuses.includes('failed')
            ? 'failed'
            : null;
      if (next) {
        await m.update(
          SmsMessageEntity,
          { id: seg.smsId },
          {
            status: next,
            updatedAt: now,
            error: next === 'delivered' ? null : `carrier status ${carrierStatus}`,
          },
        );
      }
      return seg.smsId;
    });
  }

  /** Outbound rows still to send (queued, or caught mid-send by a crash). */
  pending(limit = 10_000): Promise<SmsMessageEntity[]> {
    return this.db.run((m) =>
      m.find(SmsMessageEntity, {
        where: { direction: 'out', status: In(['queued', 'sending']) },
        order: { createdAt: 'ASC' },
        take: limit,
      }),
    );
  }

  list(limit = 100): Promise<SmsMessageEntity[]> {
    return this.db.run((m) =>
      m.find(SmsMessageEntity, { order: { createdAt: 'DESC' }, take: limit }),
    );
  }
}
