import { LessThanOrEqual } from 'typeorm';
import { Database } from './database';
import { ReminderEntity } from './entities';

export type NewReminder = Pick<
  ReminderEntity,
  'userId' | 'text' | 'repeat' | 'anchorAt' | 'nextAt'
>;

/** SQL for SMS reminders (H7). */
export class ReminderRepository {
  constructor(private readonly db: Database) {}

  add(r: NewReminder): Promise<ReminderEntity> {
    const now = Date.now();
    return this.db.run((m) =>
      m.save(
        m.create(ReminderEntity, {
          ...r,
          pendingSmsId: null,
          sent: 0,
          createdAt: now,
          updatedAt: now,
        }),
      ),
    );
  }

  get(id: number): Promise<ReminderEntity | null> {
    return this.db.run((m) => m.findOneBy(ReminderEntity, { id }));
  }

  list(userId: number): Promise<ReminderEntity[]> {
    return this.db.run((m) => m.find(ReminderEntity, { where: { userId }, order: { id: 'ASC' } }));
  }

  /** Deletes a user's reminder; returns what it was (its pending SMS is cancelled by the caller). */
  remove(userId: number, id: number): Promise<ReminderEntity | null> {
    return this.db.tx(async (m) => {
      const row = await m.findOneBy(ReminderEntity, { userId, id });
      if (row) await m.delete(ReminderEntity, { id });
      return row;
    });
  }

  /** Reminders due at or before `until`, oldest first. */
  due(until: number, limit = 500): Promise<ReminderEntity[]> {
    return this.db.run((m) =>
      m.find(ReminderEntity, {
        // NULL (done) never compares true: finished reminders are not read.
        where: { nextAt: LessThanOrEqual(until) },
        order: { nextAt: 'ASC' },
        take: limit,
      }),
    );
  }

  /**
   * Moves a reminder from the occurrence the caller saw to the next one (null: done).
   * Only one caller whose conditional UPDATE still sees `seenNextAt` wins, so two worker
   * nodes never queue the same occurrence twice.
   */
  advance(
    id: number,
    seenNextAt: number,
    nextAt: number | null,
    queued: boolean,
  ): Promise<boolean> {
    return this.db.tx(async (m) => {
      const r = await m
        .createQueryBuilder()
        .update(ReminderEntity)
        .set({
          nextAt,
          updatedAt: Date.now(),
          ...(queued ? { sent: () => 'sent + 1' } : {}),
        })
        .where('id = :id AND next_at = :seen', { id, seen: seenNextAt })
        .execute();
      return (r.affected ?? 0) > 0;
    });
  }

  setPendingSms(id: number, smsId: string): Promise<void> {
    return this.db.run(async (m) => {
      await m.update(ReminderEntity, { id }, { pendingSmsId: smsId, updatedAt: Date.now() });
    });
  }
}
