import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** How a reminder comes back: once, or every day, week or month at the same local time. */
export type ReminderRepeat = 'none' | 'daily' | 'weekly' | 'monthly';

/**
 * An SMS reminder to a user's own bound phone (H7). `nextAt` is the next time it is due
 * (null once a one-off reminder went out); the SMS of an occurrence is queued shortly
 * before that time as a scheduled SMS (`pendingSmsId`), so it is sent on time by the
 * SMS queue's delayed job and survives restarts like any scheduled SMS.
 */
@Entity('reminders')
@Index(['nextAt'])
export class ReminderEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Index() @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  @Column({ type: 'text' }) text!: string;
  @Column({ type: 'varchar', length: 8, default: 'none' }) repeat!: ReminderRepeat;
  /** The first occurrence: repeats are counted from it in the notify time zone. */
  @Column({ name: 'anchor_at', type: 'bigint', transformer: bigintNumber }) anchorAt!: number;
  @Column({ name: 'next_at', type: 'bigint', nullable: true, transformer: bigintNumber }) nextAt!:
    number | null;
  /** The scheduled SMS of the occurrence queued last (cancelled with the reminder). */
  @Column({ name: 'pending_sms_id', type: 'varchar', length: 32, nullable: true })
  pendingSmsId!: string | null;
  /** Occurrences queued so far. */
  @Column({ type: 'integer', default: 0 }) sent!: number;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}
