import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './columns';

/**
 * An SMS link added through the admin API (REST or `dizi link add`). `settings` holds
 * the same object as one entry of the config file's `links:` list, as JSON; links from
 * the config file are never stored here.
 */
@Entity('sms_links')
export class SmsLinkEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) id!: string;
  @Column({ type: 'varchar', length: 32 }) kind!: string;
  /** The link object as JSON (keys sorted, so equal settings are equal strings). */
  @Column({ type: 'text' }) settings!: string;
  /** A disabled link is kept but not run. */
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  /** Counts the changes of this row (shown to admins; nodes compare the settings). */
  @Column({ type: 'integer', default: 1 }) revision!: number;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}
