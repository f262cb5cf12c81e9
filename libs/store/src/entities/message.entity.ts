import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** One copy of a message in one folder; the raw bytes live once in the blob store. */
@Entity('messages')
@Index(['folderId', 'uid'], { unique: true })
export class MessageEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'folder_id', type: 'integer' }) folderId!: number;
  @Column({ type: 'integer' }) uid!: number;
  @Index() @Column({ name: 'blob_id', type: 'varchar', length: 64 }) blobId!: string;
  @Column({ type: 'bigint', transformer: bigintNumber }) modseq!: number;
  /** IMAP flags and keywords separated by one space, e.g. `\Seen $Forwarded`. */
  @Column({ type: 'varchar', length: 1024, default: '' }) flags!: string;
  @Column({ type: 'bigint', transformer: bigintNumber }) size!: number;
  @Column({ name: 'internal_date', type: 'bigint', transformer: bigintNumber })
  internalDate!: number;
  /** Envelope summary, decoded to Unicode, for lists and phone alerts. */
  @Column({ type: 'varchar', length: 998, default: '' }) subject!: string;
  @Column({ name: 'from_addr', type: 'varchar', length: 998, default: '' }) fromAddr!: string;
  @Column({ name: 'to_addr', type: 'varchar', length: 998, default: '' }) toAddr!: string;
  @Column({ name: 'message_id', type: 'varchar', length: 998, default: '' }) messageId!: string;
}

/** A tombstone of an expunged message, for QRESYNC (RFC 7162 VANISHED). */
@Entity('expunged_messages')
@Index(['folderId', 'modseq'])
export class ExpungedMessageEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'folder_id', type: 'integer' }) folderId!: number;
  @Column({ type: 'integer' }) uid!: number;
  @Column({ type: 'bigint', transformer: bigintNumber }) modseq!: number;
}
