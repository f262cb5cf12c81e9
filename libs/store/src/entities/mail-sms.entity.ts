import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** mail2sms: a mail to `<number>@<smsDomain>` sent as SMS; notice: a send-time SMS notice. */
export type MailSmsKind = 'mail2sms' | 'notice';
/** queued (handed to the SMS service) -> failed (the SMS failed for good; bounced if mail2sms). */
export type MailSmsState = 'queued' | 'failed';

/**
 * An SMS sent because of a mail (H3, H5). The row is written before the SMS is queued,
 * with the SMS id chosen here, so (1) a spool entry handled again after a crash does
 * not send the same SMS twice, and (2) when the SMS fails for good, the bounce finds the
 * mail's sender, envelope id and headers although the spool entry is long gone.
 */
@Entity('mail_sms')
@Index(['spoolId', 'kind', 'recipient'], { unique: true })
@Index(['userId', 'createdAt'])
export class MailSmsEntity {
  @PrimaryGeneratedColumn() id!: number;
  /** The spool id of the mail (also its blob id when it was stored). */
  @Column({ name: 'spool_id', type: 'varchar', length: 64 }) spoolId!: string;
  @Column({ type: 'varchar', length: 12 }) kind!: MailSmsKind;
  /** The mail recipient this SMS is for (`<number>@<smsDomain>`, or the notified address). */
  @Column({ type: 'varchar', length: 320 }) recipient!: string;
  @Column({ type: 'varchar', length: 32 }) number!: string;
  @Index() @Column({ name: 'sms_id', type: 'varchar', length: 32 }) smsId!: string;
  /** Who the SMS is charged to (the authenticated sender); null for anonymous or system mail. */
  @Column({ name: 'user_id', type: 'integer', nullable: true }) userId!: number | null;
  /** Envelope sender, for the bounce ('' = the null sender: never bounced). */
  @Column({ type: 'varchar', length: 320, default: '' }) sender!: string;
  @Column({ name: 'env_id', type: 'varchar', length: 100, nullable: true }) envId!: string | null;
  @Column({ name: 'arrived_at', type: 'bigint', transformer: bigintNumber }) arrivedAt!: number;
  /** The mail's header block (latin1 of the raw bytes), quoted by the bounce. */
  @Column({ type: 'text', default: '' }) headers!: string;
  @Column({ type: 'varchar', length: 12 }) state!: MailSmsState;
  @Column({ type: 'varchar', length: 1000, nullable: true }) error!: string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}
