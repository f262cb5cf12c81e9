import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** A message waiting for remote delivery. SQL is the truth; BullMQ only schedules tries. */
@Entity('outbound_messages')
export class OutboundMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) id!: string;
  @Column({ name: 'blob_id', type: 'varchar', length: 64 }) blobId!: string;
  /** Envelope sender; empty for the null sender `<>` (bounces), which never gets a DSN. */
  @Column({ type: 'varchar', length: 320, default: '' }) sender!: string;
  @Column({ type: 'bigint', transformer: bigintNumber }) size!: number;
  /** RFC 3461 ENVID and RET of the submission, carried into DSNs. */
  @Column({ name: 'env_id', type: 'varchar', length: 100, nullable: true }) envId!: string | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) ret!: string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}

export type OutboundStatus = 'queued' | 'deferred' | 'delivered' | 'failed';

@Entity('outbound_recipients')
@Index(['status', 'nextAttemptAt'])
export class OutboundRecipientEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Index() @Column({ name: 'message_id', type: 'varchar', length: 64 }) messageId!: string;
  @Column({ type: 'varchar', length: 320 }) recipient!: string;
  @Column({ type: 'varchar', length: 253 }) domain!: string;
  @Column({ type: 'varchar', length: 12, default: 'queued' }) status!: OutboundStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'bigint', transformer: bigintNumber })
  nextAttemptAt!: number;
  @Column({ name: 'last_code', type: 'integer', nullable: true }) lastCode!: number | null;
  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;
  @Column({ name: 'remote_host', type: 'varchar', length: 255, nullable: true })
  remoteHost!: string | null;
  /** RFC 3461 NOTIFY of this recipient (comma list), null = default (FAILURE). */
  @Column({ type: 'varchar', length: 40, nullable: true }) notify!: string | null;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}
