import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** A stored raw message; `refs` counts the message rows and queue entries that use it. */
@Entity('blobs')
export class BlobEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) id!: string;
  @Column({ type: 'bigint', transformer: bigintNumber }) size!: number;
  @Column({ type: 'integer', default: 0 }) refs!: number;
}
