import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './columns';

/**
 * Marks that a spooled message reached one recipient. Written in the delivery's own
 * transaction, so re-running a spool entry after a crash never delivers twice.
 */
@Entity('inbound_deliveries')
export class InboundDeliveryEntity {
  @PrimaryColumn({ name: 'spool_id', type: 'varchar', length: 64 }) spoolId!: string;
  @PrimaryColumn({ type: 'varchar', length: 320 }) recipient!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}
