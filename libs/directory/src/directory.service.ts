import { DiziError } from '@dizi/errors';
import {
  DirectoryRepository,
  DomainEntity,
  GroupEntity,
  hashPassword,
  POST_POLICIES,
  PostPolicy,
  SMS_COMMANDS,
  SMS_REGISTER_POLICIES,
  SmsCommandName,
  SmsRegisterPolicy,
  UserEntity,
  UserRole,
  verifyPassword,
} from '@dizi/store';
import { normalizeDomain, parseAddress } from './address';
import { VerifiedLoginCache } from './verified-login-cache';

const MB = 1024 * 1024;
export const MIN_PASSWORD_LENGTH = 8;

export interface AddUserInput {
  address: string;
  password: string;
  /** Megabytes; undefined = the configured default; 0 = unlimited. */
  quotaMb?: number;
  role?: UserRole;
  displayName?: string;
}

export interface GroupView {
  address: string;
  name: string;
  postPolicy: PostPolicy;
  allowedSender: string | null;
  members: string[];
}

/**
 * The admin operations on domains, users, aliases and groups (M6, M7, M8), with the
 * validation and the errors a user can act on. Used by the CLI and the REST API alike.
 */
export class DirectoryService {
  private readonly verified = new VerifiedLoginCache();

  constructor(
    private readonly repo: DirectoryRepository,
    private readonly defaults: { userQuotaMb: number },
    /** Called with blob ids freed by a removal, after the commit. */
    private readonly onBlobsFreed: (ids: string[]) => Promise<void> = async () => undefined,
  ) {}

  // ---- domains
  async addDomain(name: string): Promise<DomainEntity> {
    const domain = normalizeDomain(name, 'name');
    if (await this.repo.findDomain(domain)) {
      throw new DiziError('conflict', `domain ${domain} exists already`, 'name');
    }
    return this.repo.addDomain(domain);
  }
  listDomains(): Promise<DomainEntity[]> {
    return this.repo.listDomains();
  }
  async removeDomain(name: string): Promise<void> {
    const d = await this.requireDomain(normalizeDomain(name, 'name'));
    const users = await this.repo.countUsers(d.id);
    if (users > 0) {
      throw new DiziError(
        'conflict',
        `domain ${d.name} still has ${users} user(s); remove them first`,
        'name',
      );
    }
    await this.repo.removeDomain(d.id);
  }
  /** Turns IMAP or POP3 access on or off for every user of a domain. */
  async setDomainAccess(
    name: string,
    patch: { imap?: boolean; pop3?: boolean },
  ): Promise<DomainEntity> {
    const d = await this.requireDomain(normalizeDomain(name, 'name'));
    const update = {
      ...(patch.imap === undefined ? {} : { imapEnabled: patch.imap }),
      ...(patch.pop3 === undefined ? {} : { pop3Enabled: patch.pop3 }),
    };
    if (Object.keys(update).length) await this.repo.updateDomain(d.id, update);
    return (await this.repo.findDomain(d.name))!;
  }
  /**
   * The domain's SMS account commands (H4): whether a phone may register a mailbox here
   * (`open`/`closed`), which commands its users may send, and the service number (with
   * extension) whose SMS belong to it (null: none).
   */
  async setDomainSms(
    name: string,
    patch: { register?: string; commands?: string[]; number?: string | null },
  ): Promise<DomainEntity> {
    const d = await this.requireDomain(normalizeDomain(name, 'name'));
    const update: Partial<Pick<DomainEntity, 'smsRegister' | 'smsCommands' | 'smsNumber'>> = {};
    if (patch.register !== undefined) {
      if (!(SMS_REGISTER_POLICIES as readonly string[]).includes(patch.register))
        throw new DiziError(
          'invalid',
          `smsRegister must be one of ${SMS_REGISTER_POLICIES.join(', ')}`,
          'smsRegister',
        );
      update.smsRegister = patch.register as SmsRegisterPolicy;
    }
    if (patch.commands !== undefined) {
      const words = patch.commands.map((c) => String(c).trim().toLowerCase()).filter(Boolean);
      const bad = words.find((w) => !(SMS_COMMANDS as readonly string[]).includes(w));
      if (bad !== undefined)
        throw new DiziError(
          'invalid',
          `unknown SMS command "${bad}"; the commands are ${SMS_COMMANDS.join(', ')}`,
          'smsCommands',
        );
      update.smsCommands = SMS_COMMANDS.filter((c) => words.includes(c as SmsCommandName)).join(
        ',',
      );
    }
    if (patch.number !== undefined) {
      const n = patch.number === null ? '' : String(patch.number).replace(/[\s-]/g, '');
      if (n && !/^\+?\d{3,21}$/.test(n))
        throw new DiziError(
          'invalid',
          `"${patch.number}" is not a service number (3-21 digits)`,
          'smsNumber',
        );
      update.smsNumber = n || null;
    }
    if (Object.keys(update).length) await this.repo.updateDomain(d.id, update);
    return (await this.repo.findDomain(d.name))!;
  }
  /**
   * A domain's limits (M5/M6): total space, shared out as its users' quotas (0 =
   * unlimited), and how many users it may have (0 = unlimited). Total space is an
   * allocation: the users' quotas together may not exceed it, so a full domain is
   * caught when a box is created or grown, never half-way through a delivery. A limit
   * under what is given out already is refused.
   */
  async setDomainLimits(
    name: string,
    limits: { quotaMb?: number; maxUsers?: number },
  ): Promise<DomainEntity> {
    const d = await this.requireDomain(normalizeDomain(name, 'name'));
    const patch: { quotaBytes?: number; maxUsers?: number } = {};
    if (limits.quotaMb !== undefined) {
      const quotaMb = wholeNumber(limits.quotaMb, 'quotaMb', 'total space');
      if (quotaMb > 0) {
        const given = await this.repo.allocatedQuota(d.id);
        if (given.unlimited > 0)
          throw new DiziError(
            'conflict',
            `domain ${d.name} has ${given.unlimited} user(s) without a quota; give each a quota before limiting the domain's total space`,
            'quotaMb',
          );
        if (given.bytes > quotaMb * MB)
          throw new DiziError(
            'conflict',
            `domain ${d.name}'s users have ${Math.ceil(given.bytes / MB)} MB of quota between them; the total space cannot be less`,
            'quotaMb',
          );
      }
      patch.quotaBytes = quotaMb * MB;
    }
    if (limits.maxUsers !== undefined) {
      const maxUsers = wholeNumber(limits.maxUsers, 'maxUsers', 'the user limit');
      const users = await this.repo.countUsers(d.id);
      if (maxUsers > 0 && users > maxUsers)
        throw new DiziError(
          'conflict',
          `domain ${d.name} has ${users} users already; the limit cannot be lower`,
          'maxUsers',
        );
      patch.maxUsers = maxUsers;
    }
    await this.repo.updateDomain(d.id, patch);
    return (await this.repo.findDomain(d.name))!;
  }
  /** Whether users of the address's domain may use the protocol. */
  async accessAllowed(address: string, protocol: 'imap' | 'pop3'): Promise<boolean> {
    const d = await this.repo.findDomain(address.slice(address.lastIndexOf('@') + 1));
    return !!d && d.enabled && (protocol === 'imap' ? d.imapEnabled : d.pop3Enabled);
  }
  async isLocalDomain(domain: string): Promise<boolean> {
    const d = await this.repo.findDomain(domain);
    return !!d && d.enabled;
  }

  // ---- users
  async addUser(input: AddUserInput): Promise<UserEntity> {
    const addr = parseAddress(input.address);
    const domain = await this.requireDomain(addr.domain, 'address');
    this.checkPassword(input.password);
    await this.requireFree(addr.address);
    if (domain.maxUsers > 0 && (await this.repo.countUsers(domain.id)) >= domain.maxUsers) {
      throw new DiziError(
        'conflict',
        `domain ${domain.name} has reached its limit of ${domain.maxUsers} users`,
        'address',
      );
    }
    const quotaMb = input.quotaMb ?? this.defaults.userQuotaMb;
    if (!Number.isInteger(quotaMb) || quotaMb < 0) {
      throw new DiziError(
        'invalid',
        'quota must be a whole number of megabytes (0 = unlimited)',
        'quotaMb',
      );
    }
    await this.checkDomainSpace(domain, quotaMb);
    return this.repo.addUser({
      address: addr.address,
      domainId: domain.id,
      passwordHash: await hashPassword(input.password),
      quotaBytes: quotaMb * MB,
      role: input.role ?? 'user',
      displayName: input.displayName ?? '',
    });
  }
  async listUsers(domainName?: string): Promise<UserEntity[]> {
    if (!domainName) return this.repo.listUsers();
    const d = await this.requireDomain(normalizeDomain(domainName));
    return this.repo.listUsers(d.id);
  }
  async getUser(address: string): Promise<UserEntity> {
    const addr = parseAddress(address);
    const user = await this.repo.findUser(addr.address);
    if (!user) throw new DiziError('not-found', `no user ${addr.address}`, 'address');
    return user;
  }
  async removeUser(address: string): Promise<void> {
    const user = await this.getUser(address);
    const freed = await this.repo.removeUser(user.id);
    await this.onBlobsFreed(freed);
  }
  async setPassword(address: string, password: string): Promise<void> {
    const user = await this.getUser(address);
    this.checkPassword(password);
    await this.repo.updateUser(user.id, { passwordHash: await hashPassword(password) });
  }
  /**
   * Turns a mailbox off or on again. Off: logins fail and mail to it is refused (550);
   * its messages stay (an SMS "cancel" does this; `removeUser` deletes for good).
   */
  async setEnabled(address: string, enabled: boolean): Promise<void> {
    const user = await this.getUser(address);
    await this.repo.updateUser(user.id, { enabled });
  }
  async setQuota(address: string, quotaMb: number): Promise<void> {
    const user = await this.getUser(address);
    if (!Number.isInteger(quotaMb) || quotaMb < 0) {
      throw new DiziError(
        'invalid',
        'quota must be a whole number of megabytes (0 = unlimited)',
        'quotaMb',
      );
    }
    const domain = await this.repo.findDomainById(user.domainId);
    if (domain) await this.checkDomainSpace(domain, quotaMb, user.id);
    await this.repo.updateUser(user.id, { quotaBytes: quotaMb * MB, quotaWarned: false });
  }

  /**
   * A quota of quotaMb for one user fits the domain's total space. Two admins creating
   * boxes at the same instant could both pass; admin changes are rare, and the next
   * change is refused until the sum fits again.
   */
  private async checkDomainSpace(
    domain: DomainEntity,
    quotaMb: number,
    exceptUserId = 0,
  ): Promise<void> {
    if (!domain.quotaBytes) return;
    if (quotaMb === 0)
      throw new DiziError(
        'conflict',
        `domain ${domain.name} has a total space of ${Math.round(domain.quotaBytes / MB)} MB: each user needs a quota (not 0 = unlimited)`,
        'quotaMb',
      );
    const given = await this.repo.allocatedQuota(domain.id, exceptUserId);
    const left = Math.max(0, domain.quotaBytes - given.bytes);
    if (quotaMb * MB > left)
      throw new DiziError(
        'conflict',
        `domain ${domain.name} has ${Math.floor(left / MB)} MB of its ${Math.round(domain.quotaBytes / MB)} MB total space left to give out; ${quotaMb} MB does not fit`,
        'quotaMb',
      );
  }
  /**
   * Checks a login. Accepts `user` alone for the only domain hosted (M6's default
   * domain). Returns null on any failure, without saying which part was wrong.
   */
  async authenticate(login: string, password: string): Promise<UserEntity | null> {
    let address = login.trim().toLowerCase();
    if (!address.includes('@')) {
      const domains = await this.repo.listDomains();
      if (domains.length !== 1) return null;
      address = `${address}@${domains[0].name}`;
    }
    let user: UserEntity | null;
    try {
      user = await this.repo.findUser(parseAddress(address).address);
    } catch {
      return null;
    }
    if (!user || !user.enabled) return null;
    if (this.verified.has(user.address, password, user.passwordHash)) return user;
    if (!(await verifyPassword(password, user.passwordHash))) return null;
    this.verified.remember(user.address, password, user.passwordHash);
    return user;
  }

  // ---- aliases
  async addAlias(address: string, targets: string[]): Promise<void> {
    const addr = parseAddress(address);
    await this.requireDomain(addr.domain, 'address');
    if (!targets.length)
      throw new DiziError('invalid', 'an alias needs at least one target address', 'targets');
    const normalized = targets.map((t) => parseAddress(t, 'targets').address);
    if (await this.repo.findUser(addr.address)) {
      throw new DiziError(
        'conflict',
        `${addr.address} is a user; an alias cannot have the same address`,
        'address',
      );
    }
    if (await this.repo.findGroup(addr.address)) {
      throw new DiziError('conflict', `${addr.address} is a group`, 'address');
    }
    await this.repo.addAlias(addr.address, normalized);
  }
  async listAliases(): Promise<Array<{ address: string; targets: string[] }>> {
    const rows = await this.repo.listAliases();
    const map = new Map<string, string[]>();
    for (const r of rows) map.set(r.address, [...(map.get(r.address) ?? []), r.target]);
    return [...map].map(([address, targets]) => ({ address, targets }));
  }
  async removeAlias(address: string): Promise<void> {
    const addr = parseAddress(address);
    if (!(await this.repo.removeAlias(addr.address)))
      throw new DiziError('not-found', `no alias ${addr.address}`, 'address');
  }

  // ---- groups
  async addGroup(
    address: string,
    opts: { name?: string; postPolicy?: string; allowedSender?: string } = {},
  ): Promise<GroupEntity> {
    const addr = parseAddress(address);
    await this.requireDomain(addr.domain, 'address');
    await this.requireFree(addr.address);
    const policy = (opts.postPolicy ?? 'anyone') as PostPolicy;
    if (!POST_POLICIES.includes(policy)) {
      throw new DiziError(
        'invalid',
        `post policy must be one of ${POST_POLICIES.join(', ')}`,
        'postPolicy',
      );
    }
    if (policy === 'sender' && !opts.allowedSender) {
      throw new DiziError(
        'invalid',
        'post policy "sender" needs the allowed sender address',
        'allowedSender',
      );
    }
    const allowed = opts.allowedSender
      ? parseAddress(opts.allowedSender, 'allowedSender').address
      : null;
    return this.repo.addGroup(addr.address, opts.name ?? '', policy, allowed);
  }
  async addGroupMember(group: string, member: string): Promise<void> {
    const g = await this.requireGroup(group);
    const m = member.trim().toLowerCase();
    const normalized = m.startsWith('*@')
      ? `*@${normalizeDomain(m.slice(2), 'member')}`
      : parseAddress(m, 'member').address;
    await this.repo.addGroupMember(g.id, normalized);
  }
  async removeGroupMember(group: string, member: string): Promise<void> {
    const g = await this.requireGroup(group);
    if (!(await this.repo.removeGroupMember(g.id, member.trim().toLowerCase()))) {
      throw new DiziError('not-found', `${member} is not a member of ${g.address}`, 'member');
    }
  }
  async listGroups(): Promise<GroupView[]> {
    const groups = await this.repo.listGroups();
    return Promise.all(
      groups.map(async (g) => ({
        address: g.address,
        name: g.name,
        postPolicy: g.postPolicy,
        allowedSender: g.allowedSender,
        members: await this.repo.groupMembers(g.id),
      })),
    );
  }
  async removeGroup(address: string): Promise<void> {
    const g = await this.requireGroup(address);
    await this.repo.removeGroup(g.id);
  }

  // ---- helpers
  private async requireDomain(name: string, field = 'domain'): Promise<DomainEntity> {
    const d = await this.repo.findDomain(name);
    if (!d)
      throw new DiziError(
        'not-found',
        `domain ${name} is not hosted here; add it with \`dizi domain add ${name}\``,
        field,
      );
    return d;
  }
  private async requireGroup(address: string): Promise<GroupEntity> {
    const addr = parseAddress(address, 'group');
    const g = await this.repo.findGroup(addr.address);
    if (!g) throw new DiziError('not-found', `no group ${addr.address}`, 'group');
    return g;
  }
  private async requireFree(address: string): Promise<void> {
    if (await this.repo.findUser(address))
      throw new DiziError('conflict', `user ${address} exists already`, 'address');
    if (await this.repo.findGroup(address))
      throw new DiziError('conflict', `${address} is a group already`, 'address');
    if ((await this.repo.aliasTargets(address)).length)
      throw new DiziError('conflict', `${address} is an alias already`, 'address');
  }
  private checkPassword(password: string): void {
    if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
      throw new DiziError(
        'invalid',
        `the password must have at least ${MIN_PASSWORD_LENGTH} characters`,
        'password',
      );
    }
  }
}

function wholeNumber(v: unknown, field: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new DiziError('invalid', `${what} must be a whole number (0 = unlimited)`, field);
  return v;
}
