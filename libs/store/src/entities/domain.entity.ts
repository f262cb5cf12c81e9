import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** The account commands a phone may send by SMS (H4); a domain allows a subset of them. */
export const SMS_COMMANDS = ['register', 'password', 'cancel', 'unread'] as const;
export type SmsCommandName = (typeof SMS_COMMANDS)[number];
/** Self-registration by SMS: `open` lets an unbound phone create a mailbox here. */
export const SMS_REGISTER_POLICIES = ['open', 'closed'] as const;
export type SmsRegisterPolicy = (typeof SMS_REGISTER_POLICIES)[number];

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
  @Column({ name: 'sms_register', type: 'varchar', length: 8, default: 'closed' })
  smsRegister!: SmsRegisterPolicy;
  /** Comma-separated SMS_COMMANDS this domain's users (and registering phones) may use. */
  @Column({
    name: 'sms_commands',
    type: 'varchar',
    length: 200,
    default: 'register,password,cancel,unread',
  })
  smsCommands!: string;
  /**
   * Service number (with extension) whose MO SMS belong to this domain: a registration
   * sent to it, or to a longer number starting with it, creates the mailbox here.
   */
  @Column({ name: 'sms_number', type: 'varchar', length: 32, nullable: true }) smsNumber!:
    string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}
