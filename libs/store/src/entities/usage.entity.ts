import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/**
 * What a usage record counts (H16, issue 5):
 * - sms: SMS segments handed to a carrier (quantity = segments), with the SMS purpose;
 * - alert: arrival alerts sent (quantity 1; their segments are also `sms` records);
 * - storage: one record per user and local day, quantity = bytes used that day;
 * - traffic-in: bytes of a mail delivered to a local user by SMTP;
 * - traffic-out: bytes of a mail submitted by an authenticated user;
 * - mms: reserved; there is no MMS gateway yet.
 */
export const USAGE_SERVICES = [
  'sms',
  'mms',
  'alert',
  'storage',
  'traffic-in',
  'traffic-out',
] as const;
export type UsageService = (typeof USAGE_SERVICES)[number];

/**
 * One chargeable act. `ref` names what was charged (the SMS id, the spool id, the user
 * and day of a storage record); (service, ref) is unique, so recording the same act
 * twice (a retry, a second node, a catch-up after a crash) leaves one record. Records
 * have no foreign keys: billing history outlives a removed user or domain.
 */
@Entity('usage_records')
@Index(['service', 'ref'], { unique: true })
@Index(['at', 'id'])
@Index(['userId', 'at'])
@Index(['domainId', 'at'])
export class UsageRecordEntity {
  /** bigint on PostgreSQL; SQLite's INTEGER PRIMARY KEY is 64-bit already. */
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: bigintNumber }) id!: number;
  /** Epoch milliseconds of the act. */
  @Column({ type: 'bigint', transformer: bigintNumber }) at!: number;
  @Column({ type: 'varchar', length: 16 }) service!: UsageService;
  /** Why an SMS was sent (api, alert, verify, reply, admin-alert, ...); '' otherwise. */
  @Column({ type: 'varchar', length: 20, default: '' }) purpose!: string;
  @Column({ name: 'user_id', type: 'integer', nullable: true }) userId!: number | null;
  @Column({ name: 'domain_id', type: 'integer', nullable: true }) domainId!: number | null;
  @Column({ type: 'bigint', transformer: bigintNumber }) quantity!: number;
  @Column({ type: 'varchar', length: 128 }) ref!: string;
}

export type BillingPeriod = 'month' | 'day';

/**
 * A rating plan: prices as data. Every price is in millionths of the plan's currency
 * (integers, so sums never drift): per SMS segment, MMS, alert, MB-day of storage
 * (MB = 1,048,576 bytes), MB of traffic (in and out), and a fee per user per period.
 */
@Entity('rating_plans')
export class RatingPlanEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 64, unique: true }) name!: string;
  @Column({ type: 'varchar', length: 3, default: 'CNY' }) currency!: string;
  @Column({ name: 'sms_segment', type: 'bigint', default: 0, transformer: bigintNumber })
  smsSegment!: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber }) mms!: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintNumber }) alert!: number;
  @Column({ name: 'storage_mb_day', type: 'bigint', default: 0, transformer: bigintNumber })
  storageMbDay!: number;
  @Column({ name: 'traffic_mb', type: 'bigint', default: 0, transformer: bigintNumber })
  trafficMb!: number;
  @Column({ name: 'period_fee', type: 'bigint', default: 0, transformer: bigintNumber })
  periodFee!: number;
  @Column({ type: 'varchar', length: 5, default: 'month' }) period!: BillingPeriod;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt!: number;
}

/** The plan of a domain's users (those without their own). Goes with the domain. */
@Entity('domain_plans')
export class DomainPlanEntity {
  @PrimaryColumn({ name: 'domain_id', type: 'integer' }) domainId!: number;
  @Column({ name: 'plan_id', type: 'integer' }) planId!: number;
}

/** A user's own plan, over the domain's. Goes with the user. */
@Entity('user_plans')
export class UserPlanEntity {
  @PrimaryColumn({ name: 'user_id', type: 'integer' }) userId!: number;
  @Column({ name: 'plan_id', type: 'integer' }) planId!: number;
}
