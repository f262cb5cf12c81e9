import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

export const SPECIAL_USES = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk'] as const;

/** A mail folder (IMAP mailbox) of one user, with the counters IMAP needs. */
@Entity('folders')
@Index(['userId', 'name'], { unique: true })
export class FolderEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  /** Full hierarchical name with `/` as separator, in Unicode (IMAP encodes it). */
  @Column({ type: 'varchar', length: 1024 }) name!: string;
  @Column({ name: 'special_use', type: 'varchar', length: 20, nullable: true })
  specialUse!: string | null;
  @Column({ name: 'uid_validity', type: 'bigint', transformer: bigintNumber }) uidValidity!: number;
  @Column({ name: 'uid_next', type: 'integer', default: 1 }) uidNext!: number;
  @Column({ name: 'highest_modseq', type: 'bigint', default: 1, transformer: bigintNumber })
  highestModseq!: number;
  @Column({ type: 'boolean', default: true }) subscribed!: boolean;
  /** Highest UID an IMAP session has been shown; later ones are `\Recent` to the next. */
  @Column({ name: 'recent_uid', type: 'integer', default: 0 }) recentUid!: number;
}
