import { EntityManager, In } from 'typeorm';
import { Database } from './database';
import { bool, rows } from './raw-sql';
import {
  AliasEntity,
  DomainEntity,
  ExpungedMessageEntity,
  FolderEntity,
  GroupEntity,
  GroupMemberEntity,
  MessageEntity,
  PostPolicy,
  UserEntity,
  UserRole,
} from './entities';

/** Folders every new user gets (W2), with their RFC 6154 special use. */
export const DEFAULT_FOLDERS: Array<{ name: string; specialUse: string | null }> = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
];

export interface NewUser {
  address: string;
  domainId: number;
  passwordHash: string;
  quotaBytes: number;
  role: UserRole;
  displayName: string;
}

/** SQL for domains, users, aliases and groups: the directory of who lives here. */
export class DirectoryRepository {
  constructor(private readonly db: Database) {}

  // ---- domains
  findDomainById(id: number): Promise<DomainEntity | null> {
    return this.db.run(async (m) => {
      const [r] = await rows<Record<string, unknown>>(m, 'SELECT * FROM domains WHERE id = ?', [
        id,
      ]);
      return r ? toDomain(r) : null;
    });
  }

  findDomain(name: string): Promise<DomainEntity | null> {
    return this.db.run(async (m) => {
      const [r] = await rows<Record<string, unknown>>(m, 'SELECT * FROM domains WHERE name = ?', [
        name,
      ]);
      return r ? toDomain(r) : null;
    });
  }
  listDomains(): Promise<DomainEntity[]> {
    return this.db.run((m) => m.find(DomainEntity, { order: { name: 'ASC' } }));
  }
  addDomain(name: string, quotaBytes = 0, maxUsers = 0): Promise<DomainEntity> {
    return this.db.tx((m) =>
      m.save(
        m.create(DomainEntity, {
          name,
          quotaBytes,
          maxUsers,
          enabled: true,
          createdAt: Date.now(),
        }),
      ),
    );
  }
  updateDomain(
    id: number,
    patch: Partial<
      Pick<
        DomainEntity,
        | 'imapEnabled'
        | 'pop3Enabled'
        | 'enabled'
        | 'quotaBytes'
        | 'maxUsers'
        | 'smsRegister'
        | 'smsCommands'
        | 'smsNumber'
      >
    >,
  ): Promise<void> {
    // Nothing to change is no statement (TypeORM refuses an UPDATE without values).
    const values = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (!Object.keys(values).length) return Promise.resolve();
    return this.db.tx(async (m) => {
      await m.update(DomainEntity, { id }, values);
    });
  }
  removeDomain(id: number): Promise<void> {
    return this.db.tx(async (m) => {
      await m.delete(DomainEntity, { id });
    });
  }
  countUsers(domainId: number): Promise<number> {
    return this.db.run((m) => m.countBy(UserEntity, { domainId }));
  }

  /**
   * Space given out to a domain's users: the sum of their quotas (bytes) and how many
   * have none (unlimited), leaving out one user when their own quota is being changed.
   */
  allocatedQuota(
    domainId: number,
    exceptUserId = 0,
  ): Promise<{ bytes: number; unlimited: number }> {
    return this.db.run(async (m) => {
      const [r] = await rows<{ bytes: number | string | null; unlimited: number | string | null }>(
        m,
        'SELECT SUM(quota_bytes) AS bytes, SUM(CASE WHEN quota_bytes = 0 THEN 1 ELSE 0 END) AS unlimited FROM users WHERE domain_id = ? AND id <> ?',
        [domainId, exceptUserId],
      );
      return { bytes: Number(r?.bytes ?? 0), unlimited: Number(r?.unlimited ?? 0) };
    });
  }

  // ---- users
  findUser(address: string): Promise<UserEntity | null> {
    return this.db.run(async (m) => {
      const [r] = await rows<Record<string, unknown>>(m, 'SELECT * FROM users WHERE address = ?', [
        address,
      ]);
      return r ? toUser(r) : null;
    });
  }
  findUserById(id: number): Promise<UserEntity | null> {
    return this.db.run((m) => m.findOneBy(UserEntity, { id }));
  }
  listUsers(domainId?: number): Promise<UserEntity[]> {
    return this.db.run((m) =>
      m.find(UserEntity, { where: domainId ? { domainId } : {}, order: { address: 'ASC' } }),
    );
  }
  /** Creates the user and its default folders in one transaction. */
  addUser(u: NewUser): Promise<UserEntity> {
    return this.db.tx(async (m) => {
      const user = await m.save(
        m.create(UserEntity, {
          ...u,
          usedBytes: 0,
          enabled: true,
          quotaWarned: false,
          createdAt: Date.now(),
        }),
      );
      await this.createFolders(m, user.id, DEFAULT_FOLDERS);
      return user;
    });
  }
  async createFolders(
    m: EntityManager,
    userId: number,
    folders: Array<{ name: string; specialUse: string | null }>,
  ): Promise<void> {
    // UIDVALIDITY: seconds since epoch, unique per folder name incarnation (RFC 3501 2.3.1.1).
    const base = Math.floor(Date.now() / 1000);
    for (const [i, f] of folders.entries()) {
      await m.save(
        m.create(FolderEntity, {
          userId,
          name: f.name,
          specialUse: f.specialUse,
          uidValidity: base + i,
          uidNext: 1,
          highestModseq: 1,
          subscribed: true,
        }),
      );
    }
  }
  updateUser(
    id: number,
    patch: Partial<
      Pick<
        UserEntity,
        'passwordHash' | 'quotaBytes' | 'enabled' | 'displayName' | 'role' | 'quotaWarned'
      >
    >,
  ): Promise<void> {
    return this.db.tx(async (m) => {
      await m.update(UserEntity, { id }, patch);
    });
  }
  /**
   * Deletes the user, its folders and messages. Returns the ids of blobs no longer used
   * by anything, for the caller to delete from the blob store after the commit.
   */
  removeUser(id: number): Promise<string[]> {
    return this.db.tx(async (m) => {
      const folders = await m.findBy(FolderEntity, { userId: id });
      const folderIds = folders.map((f) => f.id);
      const blobIds: string[] = [];
      if (folderIds.length) {
        const msgs = await m.find(MessageEntity, {
          where: { folderId: In(folderIds) },
          select: { blobId: true, id: true },
        });
        blobIds.push(...msgs.map((x) => x.blobId));
        await m.delete(MessageEntity, { folderId: In(folderIds) });
        await m.delete(ExpungedMessageEntity, { folderId: In(folderIds) });
        await m.delete(FolderEntity, { userId: id });
      }
      await m.delete(UserEntity, { id });
      return releaseBlobRefs(m, blobIds);
    });
  }

  // ---- aliases
  aliasTargets(address: string): Promise<string[]> {
    return this.db.run(async (m) =>
      (await m.findBy(AliasEntity, { address })).map((a) => a.target),
    );
  }
  listAliases(): Promise<AliasEntity[]> {
    return this.db.run((m) => m.find(AliasEntity, { order: { address: 'ASC', target: 'ASC' } }));
  }
  addAlias(address: string, targets: string[]): Promise<void> {
    return this.db.tx(async (m) => {
      for (const target of targets) {
        const exists = await m.findOneBy(AliasEntity, { address, target });
        if (!exists) await m.save(m.create(AliasEntity, { address, target }));
      }
    });
  }
  removeAlias(address: string): Promise<number> {
    return this.db.tx(async (m) => (await m.delete(AliasEntity, { address })).affected ?? 0);
  }

  // ---- groups
  findGroup(address: string): Promise<GroupEntity | null> {
    return this.db.run((m) => m.findOneBy(GroupEntity, { address }));
  }
  listGroups(): Promise<GroupEntity[]> {
    return this.db.run((m) => m.find(GroupEntity, { order: { address: 'ASC' } }));
  }
  addGroup(
    address: string,
    name: string,
    postPolicy: PostPolicy,
    allowedSender: string | null,
  ): Promise<GroupEntity> {
    return this.db.tx((m) =>
      m.save(
        m.create(GroupEntity, { address, name, postPolicy, allowedSender, createdAt: Date.now() }),
      ),
    );
  }
  removeGroup(id: number): Promise<void> {
    return this.db.tx(async (m) => {
      await m.delete(GroupMemberEntity, { groupId: id });
      await m.delete(GroupEntity, { id });
    });
  }
  groupMembers(groupId: number): Promise<string[]> {
    return this.db.run(async (m) =>
      (await m.find(GroupMemberEntity, { where: { groupId }, order: { member: 'ASC' } })).map(
        (g) => g.member,
      ),
    );
  }
  addGroupMember(groupId: number, member: string): Promise<void> {
    return this.db.tx(async (m) => {
      const exists = await m.findOneBy(GroupMemberEntity, { groupId, member });
      if (!exists) await m.save(m.create(GroupMemberEntity, { groupId, member }));
    });
  }
  removeGroupMember(groupId: number, member: string): Promise<number> {
    return this.db.tx(
      async (m) => (await m.delete(GroupMemberEntity, { groupId, member })).affected ?? 0,
    );
  }
  /** Addresses of every enabled user of a domain (for `*@domain` members). */
  domainUserAddresses(domainId: number): Promise<string[]> {
    return this.db.run(async (m) =>
      (
        await m.find(UserEntity, {
          where: { domainId, enabled: true },
          select: { address: true, id: true },
        })
      ).map((u) => u.address),
    );
  }
}

// Row mappers for the raw lookups (column names as in the migrations).
function toDomain(r: Record<string, unknown>): DomainEntity {
  return Object.assign(new DomainEntity(), {
    id: Number(r.id),
    name: String(r.name),
    enabled: bool(r.enabled),
    quotaBytes: Number(r.quota_bytes),
    maxUsers: Number(r.max_users),
    imapEnabled: bool(r.imap_enabled),
    pop3Enabled: bool(r.pop3_enabled),
    smsRegister: r.sms_register === 'open' ? 'open' : 'closed',
    smsCommands: String(r.sms_commands ?? ''),
    smsNumber: r.sms_number == null ? null : String(r.sms_number),
    createdAt: Number(r.created_at),
  });
}

function toUser(r: Record<string, unknown>): UserEntity {
  return Object.assign(new UserEntity(), {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    address: String(r.address),
    passwordHash: String(r.password_hash),
    displayName: String(r.display_name),
    role: String(r.role) as UserRole,
    quotaBytes: Number(r.quota_bytes),
    usedBytes: Number(r.used_bytes),
    enabled: bool(r.enabled),
    quotaWarned: bool(r.quota_warned),
    createdAt: Number(r.created_at),
  });
}

/**
 * Decrements blob reference counts (one per id occurrence) and deletes blob rows that
 * reach zero; returns those ids so their files can be removed after the commit.
 */
export async function releaseBlobRefs(m: EntityManager, blobIds: string[]): Promise<string[]> {
  const counts = new Map<string, number>();
  for (const id of blobIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const freed: string[] = [];
  for (const [id, n] of counts) {
    const [left] = await rows<{ refs: number | string }>(
      m,
      'UPDATE blobs SET refs = refs - ? WHERE id = ? RETURNING refs',
      [n, id],
    );
    if (left && Number(left.refs) <= 0) {
      await rows(m, 'DELETE FROM blobs WHERE id = ?', [id]);
      freed.push(id);
    }
  }
  return freed;
}
