import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

export type SmsDirection = 'out' | 'in';
/**
 * queued -> sending -> submitted -> delivered | failed | expired (outbound);
 * received (inbound); queued -> cancelled (a scheduled SMS called off before its time).
 */
export type SmsStatus =
  | 'queued'
  | 'sending'
  | 'submitted'
  | 'delivered'
  | 'failed'
  | 'expired'
  | 'received'
  | 'cancelled';

/** Every SMS, sent or received, is a row (issue 4). */
@Entity('sms_messages')
@Index(['status', 'createdAt'])
export class SmsMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 }) id!: string;
  @Column({ type: 'varchar', length: 3 }) direction!: SmsDirection;
  @Column({ name: 'to_number', type: 'varchar', length: 32 }) toNumber!: string;
  @Column({ name: 'from_number', type: 'varchar', length: 32, default: '' }) fromNumber!: string;
  @Column({ type: 'text' }) text!: string;
  @Column({ type: 'varchar', length: 12 }) status!: SmsStatus;
  @Column({ name: 'link_id', type: 'varchar', length: 64, nullable: true }) linkId!: string | null;
  @Column({ type: 'integer', default: 0 }) segments!: number;
  @Column({ type: 'varchar', length: 1000, nullable: true }) error!: string | null;
  /** Why it was sent: api, cli, alert, notice, reply, ... (usage records, issue 5). */
  @Column({ type: 'varchar', length: 20, default: 'api' }) purpose!: string;
  @Column({ name: 'user_id', type: 'integer', nullable: true }) userId!: number | null;
  /** Digits appended to the link's service number (a reply to an alert comes back to it). */
  @Column({ name: 'source_extension', type: 'varchar', length: 8, nullable: true })
  sourceExtension!: string | null;
  /** Not before this time (scheduled SMS). */
  @Column({ name: 'send_at', type: 'bigint', nullable: true, transformer: bigintNumber }) sendAt!:
    number | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}

/** One carrier segment of an outbound SMS: delivery reports are matched to it. */
@Entity('sms_segments')
@Index(['linkId', 'carrierId'])
export class SmsSegmentEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Index() @Column({ name: 'sms_id', type: 'varchar', length: 32 }) smsId!: string;
  @Column({ type: 'integer' }) seq!: number;
  @Column({ name: 'link_id', type: 'varchar', length: 64 }) linkId!: string;
  @Column({ name: 'carrier_id', type: 'varchar', length: 64 }) carrierId!: string;
  /** submitted | delivered | failed | expired */
  @Column({ type: 'varchar', length: 12 }) status!: string;
  @Column({ name: 'carrier_status', type: 'varchar', length: 32, nullable: true }) carrierStatus!:
    string | null;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}
