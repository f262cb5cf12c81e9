import { DiziError } from '@dizi/errors';
import { AlertRuleEntity, DirectoryRepository, NotifyRepository, UserEntity } from '@dizi/store';
import { splitList } from './arrival-alert-rule';
import { parseClock } from './local-time';

export interface AlertRuleInput {
  /** Addresses or `@domain`s; empty or absent: any sender. */
  senders?: string[];
  /** Words in subject or body; empty or absent: any mail. */
  keywords?: string[];
  highPriority?: boolean;
  folder?: string | null;
  /** "HH:MM-HH:MM", e.g. "22:00-07:00". */
  quietHours?: string | null;
  dailyCap?: number | null;
  enabled?: boolean;
}

export interface AlertRuleView {
  id: number;
  address: string;
  enabled: boolean;
  senders: string[];
  keywords: string[];
  highPriority: boolean;
  folder: string | null;
  quietHours: string | null;
  dailyCap: number | null;
  createdAt: string;
}

const MAX_RULES_PER_USER = 20;
const MAX_LIST = 50;

/** A user's arrival alert rules (H2): checked input in, views out. */
export class AlertRuleBook {
  constructor(
    private readonly repo: NotifyRepository,
    private readonly users: DirectoryRepository,
  ) {}

  async add(address: string, input: AlertRuleInput): Promise<AlertRuleView> {
    const user = await this.user(address);
    if ((await this.repo.rules(user.id)).length >= MAX_RULES_PER_USER)
      throw new DiziError(
        'conflict',
        `${user.address} has ${MAX_RULES_PER_USER} alert rules already; remove one first`,
      );
    const senders = cleanList(input.senders, 'senders', (s) => {
      if (!/^(@?[a-z0-9.-]+\.[a-z]{2,}|[^\s@]+@[a-z0-9.-]+)$/i.test(s))
        throw new DiziError('invalid', `"${s}" is not an address or @domain`, 'senders');
    });
    const keywords = cleanList(input.keywords, 'keywords');
    let quietStart: string | null = null;
    let quietEnd: string | null = null;
    if (input.quietHours) {
      const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(input.quietHours.trim());
      if (!m || parseClock(m[1]) === null || parseClock(m[2]) === null)
        throw new DiziError(
          'invalid',
          'quiet hours are HH:MM-HH:MM, e.g. 22:00-07:00',
          'quietHours',
        );
      [quietStart, quietEnd] = [m[1], m[2]];
    }
    const cap = input.dailyCap ?? null;
    if (cap !== null && (!Number.isInteger(cap) || cap < 0 || cap > 10_000))
      throw new DiziError('invalid', 'the daily cap is a whole number from 0 to 10000', 'dailyCap');
    const folder = input.folder?.trim() || null;
    const row = await this.repo.addRule({
      userId: user.id,
      enabled: input.enabled ?? true,
      senders: senders.join('\n'),
      keywords: keywords.join('\n'),
      highPriority: input.highPriority ?? false,
      folder,
      quietStart,
      quietEnd,
      dailyCap: cap,
    });
    // Alerts (and the catch-up) start from the mail the user has now, not from old mail.
    await this.repo.startWatermark(user.id);
    return view(user, row);
  }

  async list(address: string): Promise<AlertRuleView[]> {
    const user = await this.user(address);
    return (await this.repo.rules(user.id)).map((r) => view(user, r));
  }

  async remove(address: string, id: number): Promise<void> {
    const user = await this.user(address);
    if (!(await this.repo.removeRule(user.id, id)))
      throw new DiziError('not-found', `${user.address} has no alert rule ${id}`, 'id');
  }

  private async user(address: string): Promise<UserEntity> {
    const user = await this.users.findUser(
      String(address ?? '')
        .trim()
        .toLowerCase(),
    );
    if (!user) throw new DiziError('not-found', `no user ${address}`, 'address');
    return user;
  }
}

function cleanList(
  items: string[] | undefined,
  field: string,
  check?: (s: string) => void,
): string[] {
  const out = [...new Set((items ?? []).flatMap((s) => splitList(String(s))))];
  if (out.length > MAX_LIST) throw new DiziError('invalid', `at most ${MAX_LIST} ${field}`, field);
  for (const s of out) {
    if (s.length > 200) throw new DiziError('invalid', `"${s.slice(0, 20)}…" is too long`, field);
    check?.(s);
  }
  return out;
}

function view(user: UserEntity, r: AlertRuleEntity): AlertRuleView {
  return {
    id: r.id,
    address: user.address,
    enabled: r.enabled,
    senders: splitList(r.senders),
    keywords: splitList(r.keywords),
    highPriority: r.highPriority,
    folder: r.folder,
    quietHours: r.quietStart && r.quietEnd ? `${r.quietStart}-${r.quietEnd}` : null,
    dailyCap: r.dailyCap,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}
