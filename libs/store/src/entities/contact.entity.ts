import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/**
 * One entry of a user's address book (H3, minimal: the full address book comes later).
 * Send-time SMS notices find a recipient's mobile here by the recipient's e-mail.
 */
@Entity('contacts')
@Index(['userId', 'email'])
export class ContactEntity {
  @PrimaryGeneratedColumn() id!: number;
  /** The owner: whose address book this is (removed with the user). */
  @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  @Column({ type: 'varchar', length: 255, default: '' }) name!: string;
  /** Lower-cased; '' when the contact has only a mobile. */
  @Column({ type: 'varchar', length: 320, default: '' }) email!: string;
  /** Canonical phone form (see canonicalPhone in libs/notify); '' when there is none. */
  @Column({ type: 'varchar', length: 32, default: '' }) mobile!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}
