import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

export type UserRole = 'user' | 'domain-admin' | 'admin';

/** A mailbox owner (M7). `usedBytes` is kept in step with its messages in one transaction. */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Index() @Column({ name: 'domain_id', type: 'integer' }) domainId!: number;
  @Column({ type: 'varchar', length: 320, unique: true }) address!: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 255 }) passwordHash!: string;
  @Column({ name: 'display_name', type: 'varchar', length: 255, default: '' }) displayName!: string;
  @Column({ type: 'varchar', length: 20, default: 'user' }) role!: UserRole;
  /** 0 = unlimited. */
  @Column({ name: 'quota_bytes', type: 'bigint', default: 0, transformer: bigintNumber })
  quotaBytes!: number;
  @Column({ name: 'used_bytes', type: 'bigint', default: 0, transformer: bigintNumber })
  usedBytes!: number;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  /** Set when the quota warning was sent; cleared when usage falls under the threshold. */
  @Column({ name: 'quota_warned', type: 'boolean', default: false }) quotaWarned!: boolean;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}
