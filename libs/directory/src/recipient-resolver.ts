import { DirectoryRepository, DomainEntity, GroupEntity } from '@dizi/store';
import { parseAddress } from './address';

/** A mailbox a message goes into, with its quota state at lookup time. */
export interface LocalMailbox {
  userId: number;
  address: string;
  usedBytes: number;
  quotaBytes: number;
}

export type Resolution =
  | { kind: 'local'; mailboxes: LocalMailbox[]; remote: string[] }
  | { kind: 'remote' }
  | { kind: 'unknown' }
  | { kind: 'refused'; reason: string };

export interface SenderContext {
  /** Envelope sender, '' for the null sender. */
  sender: string;
  /** The authenticated submitter, if any. */
  authUser?: string;
}

const MAX_DEPTH = 8;

/**
 * Expands a recipient address into mailboxes: a user is itself; an alias is its targets
 * (local or remote, recursively); a group is its members (`*@domain` = every user of the
 * domain) after its who-may-post policy accepted the sender (M8).
 */
export class RecipientResolver {
  constructor(private readonly repo: DirectoryRepository) {}

  async resolve(address: string, ctx: SenderContext): Promise<Resolution> {
    let addr;
    try {
      addr = parseAddress(address);
    } catch {
      return { kind: 'unknown' };
    }
    const domains = new DomainLookup(this.repo);
    const domain = await domains.get(addr.domain);
    if (!domain || !domain.enabled) return { kind: 'remote' };
    const mailboxes = new Map<number, LocalMailbox>();
    const remote = new Set<string>();
    const outcome = await this.expand(addr.address, ctx, 0, mailboxes, remote, new Set(), domains);
    if (outcome !== 'ok') return outcome;
    if (!mailboxes.size && !remote.size) return { kind: 'unknown' };
    return { kind: 'local', mailboxes: [...mailboxes.values()], remote: [...remote] };
  }

  private async expand(
    address: string,
    ctx: SenderContext,
    depth: number,
    mailboxes: Map<number, LocalMailbox>,
    remote: Set<string>,
    seen: Set<string>,
    domains: DomainLookup,
  ): Promise<'ok' | { kind: 'unknown' } | { kind: 'refused'; reason: string }> {
    if (seen.has(address) || depth > MAX_DEPTH) return 'ok'; // loops in aliases end here
    seen.add(address);
    const domainName = address.slice(address.lastIndexOf('@') + 1);
    const domain = await domains.get(domainName);
    if (!domain || !domain.enabled) {
      remote.add(address);
      return 'ok';
    }
    const user = await this.repo.findUser(address);
    if (user) {
      if (user.enabled) {
        mailboxes.set(user.id, {
          userId: user.id,
          address: user.address,
          usedBytes: user.usedBytes,
          quotaBytes: user.quotaBytes,
        });
      }
      return 'ok';
    }
    const targets = await this.repo.aliasTargets(address);
    if (targets.length) {
      for (const t of targets)
        await this.expand(t, ctx, depth + 1, mailboxes, remote, seen, domains);
      return 'ok';
    }
    const group = await this.repo.findGroup(address);
    if (group) {
      const members = await this.repo.groupMembers(group.id);
      const refusal = await this.checkPostPolicy(group, members, ctx);
      if (refusal) return { kind: 'refused', reason: refusal };
      for (const member of members) {
        if (member.startsWith('*@')) {
          const d = await domains.get(member.slice(2));
          if (!d) continue;
          for (const a of await this.repo.domainUserAddresses(d.id)) {
            await this.expand(a, ctx, depth + 1, mailboxes, remote, seen, domains);
          }
        } else {
          await this.expand(member, ctx, depth + 1, mailboxes, remote, seen, domains);
        }
      }
      return 'ok';
    }
    return depth === 0 ? { kind: 'unknown' } : 'ok';
  }

  private async checkPostPolicy(
    group: GroupEntity,
    members: string[],
    ctx: SenderContext,
  ): Promise<string | null> {
    const sender = ctx.sender.toLowerCase();
    const senderDomain = sender.slice(sender.lastIndexOf('@') + 1);
    const groupDomain = group.address.slice(group.address.lastIndexOf('@') + 1);
    switch (group.postPolicy) {
      case 'anyone':
        return null;
      case 'authenticated':
        return ctx.authUser ? null : `only authenticated users may post to ${group.address}`;
      case 'domain':
        return senderDomain === groupDomain
          ? null
          : `only senders of ${groupDomain} may post to ${group.address}`;
      case 'local': {
        const d = sender ? await this.repo.findDomain(senderDomain) : null;
        return d ? null : `only local users may post to ${group.address}`;
      }
      case 'members': {
        const isMember = members.some(
          (m) => m === sender || (m.startsWith('*@') && m.slice(2) === senderDomain),
        );
        return isMember ? null : `only members may post to ${group.address}`;
      }
      case 'sender':
        return sender && sender === group.allowedSender
          ? null
          : `${group.address} accepts mail only from its named sender`;
    }
  }
}

/** Domain rows looked up once per resolution (an alias or group names many addresses of one domain). */
class DomainLookup {
  private readonly cache = new Map<string, Promise<DomainEntity | null>>();
  constructor(private readonly repo: DirectoryRepository) {}
  get(name: string): Promise<DomainEntity | null> {
    let hit = this.cache.get(name);
    if (!hit) this.cache.set(name, (hit = this.repo.findDomain(name)));
    return hit;
  }
}
