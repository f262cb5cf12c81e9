import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** Account commands that need a code sent to the bound phone before they act. */
export type AccountCodeAction = 'cancel';

/**
 * A pending confirmation code of an SMS account command (H4): cancelling a mailbox takes
 * a second SMS with the 6-digit code the first one got. One row per user and action;
 * only a hash of the code is kept. Wrong codes count and lock the action a while.
 */
@Entity('account_codes')
@Index(['userId', 'action'], { unique: true })
export class AccountCodeEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  @Column({ type: 'varchar', length: 16 }) action!: AccountCodeAction;
  @Column({ name: 'code_hash', type: 'varchar', length: 64, nullable: true }) codeHash!:
    string | null;
  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  expiresAt!: number | null;
  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  sentAt!: number | null;
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 }) failedAttempts!: number;
  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: bigintNumber })
  lockedUntil!: number | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}
