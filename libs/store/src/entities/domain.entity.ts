import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** A mail domain hosted here (M6). Names are stored lower-case, IDNs in punycode. */
@Entity('domains')
export class DomainEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 253, unique: true }) name!: string;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  /** Total space of the domain in bytes; 0 = unlimited. */
  @Column({ name: 'quota_bytes', type: 'bigint', default: 0, transformer: bigintNumber })
  quotaBytes!: number;
  /** Maximum number of users; 0 = unlimited. */
  @Column({ name: 'max_users', type: 'integer', default: 0 }) maxUsers!: number;
  @Column({ name: 'imap_enabled', type: 'boolean', default: true }) imapEnabled!: boolean;
  @Column({ name: 'pop3_enabled', type: 'boolean', default: true }) pop3Enabled!: boolean;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}
