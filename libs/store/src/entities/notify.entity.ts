import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/**
 * A user's mobile number (H2, issue 5). One per user; `confirmed` once the user typed
 * the code sent to it (or an admin bound it). Only confirmed numbers get alerts and may
 * act for the user by SMS. The code is kept as a hash, never in clear.
 */
@Entity('user_phones')
export class UserPhoneEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Index({ unique: true }) @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  /** Canonical form: digits, a leading + kept for non-Chinese numbers, +86/86 dropped. */
  @Index() @Column({ type: 'varchar', length: 32 }) number!: string;
  @Column({ type: 'boolean', default: false }) confirmed!: boolean;
  @Column({ name: 'code_hash', type: 'varchar', length: 64, nullable: true }) codeHash!:
    string | null;
  @Column({ name: 'code_expires_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  codeExpiresAt!: number | null;
  @Column({ name: 'code_sent_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  codeSentAt!: number | null;
  /** Wrong codes since the last code was sent; too many lock confirmation a while. */
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 }) failedAttempts!: number;
  @Column({ name: 'locked_until', type: 'bigint', nullable: true, transformer: bigintNumber })
  lockedUntil!: number | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}

/**
 * One arrival alert rule of a user (H2). Empty lists mean "any": a rule with no senders,
 * no keywords, no folder and highPriority false alerts on every mail. Null quiet hours,
 * cap and segments fall back to the `notify` configuration.
 */
@Entity('alert_rules')
export class AlertRuleEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Index() @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  @Column({ type: 'boolean', default: true }) enabled!: boolean;
  /** Addresses or domains (`@example.com`), one a line. */
  @Column({ type: 'text', default: '' }) senders!: string;
  /** Words looked for in subject and body, one a line, case-insensitive. */
  @Column({ type: 'text', default: '' }) keywords!: string;
  @Column({ name: 'high_priority', type: 'boolean', default: false }) highPriority!: boolean;
  @Column({ type: 'varchar', length: 255, nullable: true }) folder!: string | null;
  /** "HH:MM" in the notify time zone; quiet from start to end (may span midnight). */
  @Column({ name: 'quiet_start', type: 'varchar', length: 5, nullable: true }) quietStart!:
    string | null;
  @Column({ name: 'quiet_end', type: 'varchar', length: 5, nullable: true }) quietEnd!:
    string | null;
  @Column({ name: 'daily_cap', type: 'integer', nullable: true }) dailyCap!: number | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}

/**
 * What became of an alert. It follows its SMS: decided (the row exists, no SMS yet) ->
 * queued (the SMS row and its BullMQ job exist) -> submitted (a carrier link took it)
 * -> delivered | failed (the carrier's report, or no link could send it). capped and
 * quiet alerts send no SMS. `sent` is the pre-0010 name of queued (migrated).
 */
export type AlertState =
  'decided' | 'queued' | 'submitted' | 'delivered' | 'failed' | 'capped' | 'quiet';

/** States an alert leaves no more. */
export const FINAL_ALERT_STATES: readonly AlertState[] = ['delivered', 'failed', 'capped', 'quiet'];

/**
 * Every alert a rule decided on, with what became of it (audit, usage records). One per
 * user and stored message (`blob_id`, shared by IMAP copies of the same delivery), so a
 * delivery decided twice (the live path and the start-up catch-up) alerts once.
 */
@Entity('alerts')
@Index(['userId', 'createdAt'])
@Index(['userId', 'replyExtension'])
@Index(['userId', 'blobId'], { unique: true })
export class AlertEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'user_id', type: 'integer' }) userId!: number;
  @Column({ name: 'rule_id', type: 'integer' }) ruleId!: number;
  /** The mailbox message (messages.id) the alert announces. */
  @Column({ name: 'message_id', type: 'integer' }) messageId!: number;
  /** The stored message (blob id); null on rows older than migration 0010. */
  @Column({ name: 'blob_id', type: 'varchar', length: 64, nullable: true }) blobId!: string | null;
  @Column({ name: 'phone_number', type: 'varchar', length: 32 }) phoneNumber!: string;
  @Column({ name: 'from_address', type: 'varchar', length: 320, default: '' }) fromAddress!: string;
  @Column({ type: 'varchar', length: 12 }) state!: AlertState;
  @Column({ type: 'text', default: '' }) text!: string;
  @Column({ name: 'sms_id', type: 'varchar', length: 32, nullable: true }) smsId!: string | null;
  @Column({ type: 'varchar', length: 1000, nullable: true }) error!: string | null;
  /** Extension the alert SMS went out with: an MO to service number + it replies to this mail. */
  @Column({ name: 'reply_extension', type: 'varchar', length: 8, nullable: true })
  replyExtension!: string | null;
  /** Subject and Message-ID of the announced mail, for the reply (the copy may be gone by then). */
  @Column({ name: 'mail_subject', type: 'varchar', length: 998, default: '' }) mailSubject!: string;
  @Column({ name: 'mail_message_id', type: 'varchar', length: 998, default: '' })
  mailMessageId!: string;
  /** Local day (notify time zone) the alert counts against, YYYY-MM-DD. */
  @Column({ type: 'varchar', length: 10 }) day!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
  /** When each state was reached (null: not yet, or skipped). */
  @Column({ name: 'queued_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  queuedAt!: number | null;
  @Column({ name: 'submitted_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  submittedAt!: number | null;
  /** When it became delivered or failed. */
  @Column({ name: 'finished_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  finishedAt!: number | null;
}

/**
 * Per user, the highest INBOX message id (messages.id) whose alert decision is done:
 * every delivery above it and younger than `notify.alertCatchUpMaxAgeMinutes` is
 * decided again by the catch-up (a crash between the delivery commit and the decision
 * must not lose the alert). Only users with alert rules have one.
 */
@Entity('alert_watermarks')
export class AlertWatermarkEntity {
  @Column({ name: 'user_id', type: 'integer', primary: true }) userId!: number;
  @Column({ name: 'message_id', type: 'integer', default: 0 }) messageId!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}

/** A domain's own alert text and length (issue 5: "a template per domain"); null: notify.*. */
@Entity('domain_alert_settings')
export class DomainAlertSettingsEntity {
  @Column({ name: 'domain_id', type: 'integer', primary: true }) domainId!: number;
  /** Like notify.alertTemplate: {from}, {time}, {subject}, {body}. */
  @Column({ type: 'text', nullable: true }) template!: string | null;
  @Column({ type: 'integer', nullable: true }) segments!: number | null;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}

/**
 * Alerts sent per user and local day. The cap is enforced by one conditional UPDATE on
 * this row (count < cap), which is atomic on SQLite and PostgreSQL alike, so a storm of
 * deliveries on several nodes can never send more than the cap.
 */
@Entity('alert_counters')
export class AlertCounterEntity {
  @Column({ name: 'user_id', type: 'integer', primary: true }) userId!: number;
  @Column({ type: 'varchar', length: 10, primary: true }) day!: string;
  @Column({ type: 'integer', default: 0 }) count!: number;
}
