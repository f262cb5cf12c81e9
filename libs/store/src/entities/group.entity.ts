import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

/**
 * Who may post to a group (M8): anyone; senders of the group's own domain; local
 * users (any hosted domain); authenticated submitters; members only; one named sender.
 */
export const POST_POLICIES = [
  'anyone',
  'domain',
  'local',
  'authenticated',
  'members',
  'sender',
] as const;
export type PostPolicy = (typeof POST_POLICIES)[number];

@Entity('groups')
export class GroupEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 320, unique: true }) address!: string;
  @Column({ type: 'varchar', length: 255, default: '' }) name!: string;
  @Column({ name: 'post_policy', type: 'varchar', length: 20, default: 'anyone' })
  postPolicy!: PostPolicy;
  /** The one sender allowed when postPolicy is `sender`. */
  @Column({ name: 'allowed_sender', type: 'varchar', length: 320, nullable: true })
  allowedSender!: string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt!: number;
}

/** A member address, or a wildcard `*@domain` meaning every user of that domain. */
@Entity('group_members')
@Index(['groupId', 'member'], { unique: true })
export class GroupMemberEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'group_id', type: 'integer' }) groupId!: number;
  @Column({ type: 'varchar', length: 320 }) member!: string;
}
