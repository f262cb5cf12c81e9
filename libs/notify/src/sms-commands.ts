import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { DirectoryService, MIN_PASSWORD_LENGTH } from '@dizi/directory';
import { DiziError } from '@dizi/errors';
import {
  DirectoryRepository,
  DomainEntity,
  NotifyRepository,
  SMS_COMMANDS,
  SmsCommandName,
  SmsCommandsRepository,
  UserEntity,
} from '@dizi/store';
import { codeMatches, hashCode, newCode } from './confirmation-code';
import { COMMAND_WORDS } from './sms-command-parser';
import { buildUnreadText } from './unread-text';

export interface SmsCommandOptions {
  /** Domain a registration goes to when no domain's smsNumber matches; '' = none. */
  registerDomain: string;
  cancelCodeTtlSeconds: number;
  /** Wrong codes, lock and resend spacing: the same as for phone binding codes. */
  codeMaxAttempts: number;
  codeLockSeconds: number;
  codeResendSeconds: number;
  unreadSegments: number;
  gsmCharsPerSegment: number;
}

/** What a command did, and the SMS that tells the phone. */
export interface CommandAnswer {
  /** A short word for logs and tests: registered, taken, code-sent, cancelled, ... */
  result: string;
  text: string;
}

/** How many unread mails "unread" looks at; the answer shows as many as fit. */
const UNREAD_LOOKED_AT = 10;
const CANCEL_SCOPE = 'cancel';
/** Names a phone may not take: they belong to the postmaster and to robots. */
const RESERVED_NAMES = new Set([
  'abuse',
  'admin',
  'administrator',
  'hostmaster',
  'mailer-daemon',
  'no-reply',
  'nobody',
  'noreply',
  'postmaster',
  'root',
  'webmaster',
]);
const NAME = /^[a-z0-9](?:[a-z0-9._-]{0,30}[a-z0-9])?$/;
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** The commands a domain allows (its `smsCommands`, unknown words ignored). */
export function allowedCommands(domain: Pick<DomainEntity, 'smsCommands'>): SmsCommandName[] {
  const listed = new Set(domain.smsCommands.split(',').map((w) => w.trim().toLowerCase()));
  return SMS_COMMANDS.filter((c) => listed.has(c));
}

/**
 * The help SMS: the commands the domain allows, in Chinese then English, and how to
 * mail from the phone. `register` shows only where a phone could use it.
 */
export function helpText(commands: SmsCommandName[]): string {
  const zh: string[] = [];
  const en: string[] = [];
  const w = COMMAND_WORDS;
  if (commands.includes('register')) {
    zh.push(`${w.register.zh}/${w.register.pinyin} 名字`);
    en.push(`${w.register.en} name`);
  }
  if (commands.includes('password')) {
    zh.push(`${w.password.zh}/${w.password.pinyin} 新密码`);
    en.push(`${w.password.en} newpass`);
  }
  if (commands.includes('cancel')) {
    zh.push(`${w.cancel.zh}/${w.cancel.pinyin} 注销邮箱`);
    en.push(w.cancel.en);
  }
  if (commands.includes('unread')) {
    zh.push(`${w.unread.zh}/${w.unread.pinyin} 未读邮件`);
    en.push(w.unread.en);
  }
  const commandsZh = zh.length ? `${zh.join('；')}；` : '';
  const commandsEn = en.length ? `${en.join(', ')}; ` : '';
  return `${commandsZh}发邮件：地址 内容，如 li@example.com 明天见。HELP: ${commandsEn}"address text" mails it.`;
}

/**
 * The SMS account commands (H4): register a mailbox from an unbound phone, change the
 * password, cancel the mailbox with a code, list unread mail. Each answers with the
 * text of an SMS; refusals say what to do. The caller checked who the phone is and
 * that the domain allows the command.
 */
export class SmsCommands {
  constructor(
    private readonly directory: DirectoryService,
    private readonly users: DirectoryRepository,
    private readonly phones: NotifyRepository,
    private readonly repo: SmsCommandsRepository,
    private readonly opts: SmsCommandOptions,
    private readonly log: Logger,
  ) {}

  /** The domain of a user's mailbox. */
  domainOf(user: UserEntity): Promise<DomainEntity | null> {
    return this.users.findDomain(user.address.slice(user.address.lastIndexOf('@') + 1));
  }

  /**
   * The domain an SMS sent to `toNumber` registers into: the domain whose smsNumber is
   * the longest start of it, else `registerDomain`.
   */
  async registrationDomain(toNumber: string): Promise<DomainEntity | null> {
    const to = String(toNumber ?? '').replace(/^\+/, '');
    let best: DomainEntity | null = null;
    let bestLength = 0;
    for (const d of await this.users.listDomains()) {
      const n = (d.smsNumber ?? '').replace(/^\+/, '');
      if (n && to.startsWith(n) && n.length > bestLength) [best, bestLength] = [d, n.length];
    }
    if (best) return best;
    return this.opts.registerDomain ? this.users.findDomain(this.opts.registerDomain) : null;
  }

  /**
   * Registers `<name>@<domain>` for an unbound phone: the mailbox is created with a
   * generated password (it passes the same policy as the CLI/API) and the number is
   * bound to it, confirmed, since it is the number that asked.
   */
  async register(
    number: string,
    name: string | null,
    domain: DomainEntity,
  ): Promise<CommandAnswer> {
    const local = name ?? number.replace(/^\+/, '');
    if (!NAME.test(local) || local.includes('..'))
      return {
        result: 'bad-name',
        text: `名字只能用小写字母、数字和 . _ -，最长 32 位，如 ZC li.ming。Name: letters, digits, . _ - (up to 32), e.g. REG li.ming.`,
      };
    if (RESERVED_NAMES.has(local))
      return {
        result: 'reserved',
        text: `${local} 是保留名字，请换一个。"${local}" is reserved; choose another name.`,
      };
    const address = `${local}@${domain.name}`;
    if (
      (await this.users.findUser(address)) ||
      (await this.users.findGroup(address)) ||
      (await this.users.aliasTargets(address)).length
    )
      return {
        result: 'taken',
        text: `${address} 已被占用，请换一个名字。${address} is taken; send REG with another name.`,
      };
    const password = generatePassword();
    let user: UserEntity;
    try {
      user = await this.directory.addUser({ address, password });
    } catch (err) {
      if (!(err instanceof DiziError)) throw err;
      // The domain is full, or the name was taken a moment ago.
      return {
        result: 'refused',
        text: `注册失败：${err.message}。Not registered: ${err.message}.`,
      };
    }
    const bound = await this.phones.bindPhone(user.id, number, { confirmed: true });
    if ('takenBy' in bound) {
      // Another registration of this number won the race: undo ours, it holds no mail.
      await this.directory.removeUser(address);
      const other = await this.users.findUserById(bound.takenBy);
      return this.alreadyBound(other);
    }
    this.log.info({ user: address, number }, 'mailbox registered by SMS');
    return {
      result: 'registered',
      text: `注册成功：邮箱 ${address} 密码 ${password} ，请登录后修改密码。Registered ${address}, password ${password}`,
    };
  }

  alreadyBound(user: UserEntity | null): CommandAnswer {
    const a = user?.address ?? 'a mailbox';
    return {
      result: 'bound',
      text: `本号码已绑定 ${a}，不能再注册。This number is bound to ${a} already.`,
    };
  }

  /** Sets the password sent, or a generated one that the answer carries. */
  async password(user: UserEntity, password: string | null): Promise<CommandAnswer> {
    const next = password ?? generatePassword();
    try {
      await this.directory.setPassword(user.address, next);
    } catch (err) {
      if (!(err instanceof DiziError)) throw err;
      return {
        result: 'refused',
        text: `密码未修改：至少 ${MIN_PASSWORD_LENGTH} 位。Password not changed: ${err.message}.`,
      };
    }
    this.log.info({ user: user.address }, 'password changed by SMS');
    return password
      ? {
          result: 'changed',
          text: `${user.address} 密码已修改。Password of ${user.address} changed.`,
        }
      : {
          result: 'changed',
          text: `${user.address} 新密码 ${next} ，请登录后修改。New password of ${user.address}: ${next}`,
        };
  }

  /**
   * Cancelling takes two SMS: the first gets a 6-digit code, the second carries it.
   * Wrong codes count; after codeMaxAttempts of them the code is void and cancelling is
   * locked for codeLockSeconds. The mailbox is disabled, not deleted (see
   * SmsCommandsRepository.cancelMailbox): nothing is lost by a stolen phone.
   */
  async cancel(user: UserEntity, code: string | null): Promise<CommandAnswer> {
    const now = Date.now();
    const row = await this.repo.codeOf(user.id, 'cancel');
    if (row?.lockedUntil && row.lockedUntil > now) return locked(row.lockedUntil);
    if (code === null) {
      if (row?.sentAt && now - row.sentAt < this.opts.codeResendSeconds * 1000) {
        const wait = Math.ceil((row.sentAt + this.opts.codeResendSeconds * 1000 - now) / 1000);
        return {
          result: 'wait',
          text: `确认码刚刚发出，请 ${wait} 秒后再试。A code was sent moments ago; ask again in ${wait} s.`,
        };
      }
      const fresh = newCode();
      await this.repo.putCode(user.id, 'cancel', {
        codeHash: hashCode(CANCEL_SCOPE, user.id, fresh),
        expiresAt: now + this.opts.cancelCodeTtlSeconds * 1000,
        sentAt: now,
      });
      const minutes = Math.max(1, Math.round(this.opts.cancelCodeTtlSeconds / 60));
      this.log.info({ user: user.address }, 'mailbox cancellation code sent');
      return {
        result: 'code-sent',
        text: `注销 ${user.address}：${minutes} 分钟内回复 ZX ${fresh} 确认。To cancel ${user.address}, reply CANCEL ${fresh} within ${minutes} min.`,
      };
    }
    if (!row?.codeHash || !row.expiresAt)
      return {
        result: 'no-code',
        text: '没有待确认的注销，请先发送 ZX。No cancellation pending; send CANCEL first.',
      };
    if (row.expiresAt < now)
      return {
        result: 'expired',
        text: '确认码已过期，请重新发送 ZX。The code has expired; send CANCEL again.',
      };
    if (!codeMatches(row.codeHash, CANCEL_SCOPE, user.id, code)) {
      const failures = await this.repo.failedCode(row.id);
      if (failures >= this.opts.codeMaxAttempts) {
        const until = now + this.opts.codeLockSeconds * 1000;
        await this.repo.lockCode(row.id, until);
        this.log.warn({ user: user.address }, 'mailbox cancellation locked after wrong codes');
        return locked(until);
      }
      const left = this.opts.codeMaxAttempts - failures;
      return {
        result: 'wrong-code',
        text: `确认码错误，还可试 ${left} 次。Wrong code; ${left} tries left.`,
      };
    }
    await this.repo.cancelMailbox(user.id);
    this.log.warn({ user: user.address }, 'mailbox cancelled by SMS (disabled, phone unbound)');
    return {
      result: 'cancelled',
      text: `邮箱 ${user.address} 已注销（停用），本号码已解除绑定。${user.address} is cancelled (disabled); this number is unbound.`,
    };
  }

  /** The newest unread INBOX mails, fitted to unreadSegments SMS. */
  async unread(user: UserEntity): Promise<CommandAnswer> {
    const { total, newest } = await this.repo.unreadInbox(user.id, UNREAD_LOOKED_AT);
    return {
      result: `unread-${total}`,
      text: buildUnreadText(total, newest, {
        segments: this.opts.unreadSegments,
        gsmPerSegment: this.opts.gsmCharsPerSegment,
      }),
    };
  }
}

function locked(until: number): CommandAnswer {
  const at = new Date(until).toISOString().slice(0, 16).replace('T', ' ');
  return {
    result: 'locked',
    text: `错误次数过多，请 ${at} UTC 后再试。Too many wrong codes; try again after ${at} UTC.`,
  };
}

/** Ten characters without look-alikes (0/O, 1/l/I), at least one letter and one digit. */
export function generatePassword(length = 10): string {
  for (;;) {
    let p = '';
    for (let i = 0; i < length; i++) p += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
    if (/\d/.test(p) && /[a-zA-Z]/.test(p)) return p;
  }
}
