import type { Logger } from 'pino';
import { DiziError } from '@dizi/errors';
import { DirectoryRepository, NotifyRepository, UserEntity, UserPhoneEntity } from '@dizi/store';
import { codeMatches, hashCode, newCode } from './confirmation-code';
import { canonicalPhone } from './phone-number';
import type { SmsSender } from './notify-ports';

/** Codes of phone bindings hash as `dizi-phone:<user id>:<code>`. */
const PHONE_SCOPE = 'phone';

export interface PhoneBindingOptions {
  /** How long a code is good for. */
  codeTtlSeconds: number;
  /** Wrong codes before confirmation is locked. */
  codeMaxAttempts: number;
  codeLockSeconds: number;
  /** No new code to the same user sooner than this (each one is a paid SMS). */
  codeResendSeconds: number;
}

export interface PhoneView {
  address: string;
  number: string;
  confirmed: boolean;
  updatedAt: string;
}

/**
 * Binding a mobile number to a mailbox (H2). A user proves the number by typing back a
 * 6-digit code sent to it; an admin binding needs no code. A number confirmed for one
 * user cannot be bound to another: it is what an MO SMS is matched to.
 */
export class PhoneBindings {
  constructor(
    private readonly repo: NotifyRepository,
    private readonly users: DirectoryRepository,
    private readonly sms: SmsSender | null,
    private readonly opts: PhoneBindingOptions,
    private readonly log: Logger,
  ) {}

  async get(address: string): Promise<PhoneView> {
    const user = await this.user(address);
    const row = await this.repo.phoneOfUser(user.id);
    if (!row)
      throw new DiziError('not-found', `${user.address} has no phone number bound`, 'address');
    return view(user, row);
  }

  /** An admin binding: confirmed at once, no code. */
  async bindByAdmin(address: string, number: string): Promise<PhoneView> {
    const user = await this.user(address);
    const canonical = canonicalPhone(number);
    const r = await this.repo.bindPhone(user.id, canonical, { confirmed: true });
    if ('takenBy' in r) throw await this.taken(canonical, r.takenBy);
    this.log.info({ user: user.address, number: canonical }, 'phone bound by an admin');
    return view(user, r.row);
  }

  /** Starts a user binding: stores a new code's hash and sends the code by SMS. */
  async requestCode(address: string, number: string): Promise<PhoneView> {
    if (!this.sms) throw new DiziError('unavailable', 'SMS is not available in this process');
    const user = await this.user(address);
    const canonical = canonicalPhone(number);
    const now = Date.now();
    const current = await this.repo.phoneOfUser(user.id);
    if (current?.lockedUntil && current.lockedUntil > now && current.number === canonical)
      throw locked(current.lockedUntil);
    if (current?.codeSentAt && now - current.codeSentAt < this.opts.codeResendSeconds * 1000) {
      const wait = Math.ceil(
        (current.codeSentAt + this.opts.codeResendSeconds * 1000 - now) / 1000,
      );
      throw new DiziError(
        'conflict',
        `a code was sent moments ago; ask again in ${wait} s`,
        'number',
      );
    }
    const code = newCode();
    const r = await this.repo.bindPhone(user.id, canonical, {
      confirmed: false,
      codeHash: hashCode(PHONE_SCOPE, user.id, code),
      codeExpiresAt: now + this.opts.codeTtlSeconds * 1000,
      codeSentAt: now,
    });
    if ('takenBy' in r) throw await this.taken(canonical, r.takenBy);
    const minutes = Math.round(this.opts.codeTtlSeconds / 60);
    await this.sms.send({
      to: canonical,
      text: `验证码 ${code}：绑定邮箱 ${user.address}，${minutes} 分钟内有效。Code ${code} binds this phone to ${user.address}.`,
      purpose: 'verify',
      userId: user.id,
    });
    this.log.info({ user: user.address, number: canonical }, 'phone binding code sent');
    return view(user, r.row);
  }

  /**
   * Confirms a user binding with the code. A wrong code counts; after codeMaxAttempts of
   * them the code is void and confirming is locked for codeLockSeconds, so six digits
   * cannot be guessed.
   */
  async confirm(address: string, code: string): Promise<PhoneView> {
    const user = await this.user(address);
    const row = await this.repo.phoneOfUser(user.id);
    if (!row)
      throw new DiziError('not-found', `${user.address} has no phone number to confirm`, 'address');
    if (row.confirmed) return view(user, row);
    const now = Date.now();
    if (row.lockedUntil && row.lockedUntil > now) throw locked(row.lockedUntil);
    if (!row.codeHash || !row.codeExpiresAt)
      throw new DiziError('conflict', 'no code is pending; ask for a new one', 'code');
    if (row.codeExpiresAt < now)
      throw new DiziError('invalid', 'the code has expired; ask for a new one', 'code');
    if (!codeMatches(row.codeHash, PHONE_SCOPE, user.id, code)) {
      const failures = await this.repo.failedCode(row.id);
      if (failures >= this.opts.codeMaxAttempts) {
        const until = now + this.opts.codeLockSeconds * 1000;
        await this.repo.updatePhone(row.id, {
          codeHash: null,
          codeExpiresAt: null,
          lockedUntil: until,
        });
        this.log.warn(
          { user: user.address, number: row.number },
          'phone confirmation locked after wrong codes',
        );
        throw locked(until);
      }
      throw new DiziError(
        'invalid',
        `wrong code; ${this.opts.codeMaxAttempts - failures} tries left`,
        'code',
      );
    }
    const holder = await this.repo.confirmedPhone(row.number);
    if (holder && holder.userId !== user.id) throw await this.taken(row.number, holder.userId);
    await this.repo.updatePhone(row.id, {
      confirmed: true,
      codeHash: null,
      codeExpiresAt: null,
      failedAttempts: 0,
      lockedUntil: null,
    });
    this.log.info({ user: user.address, number: row.number }, 'phone confirmed');
    return view(user, { ...row, confirmed: true, updatedAt: Date.now() });
  }

  async unbind(address: string): Promise<void> {
    const user = await this.user(address);
    if (!(await this.repo.removePhone(user.id)))
      throw new DiziError('not-found', `${user.address} has no phone number bound`, 'address');
  }

  /** The user a confirmed number belongs to, or null (unbound numbers act for nobody). */
  async userOfNumber(number: string): Promise<UserEntity | null> {
    let canonical: string;
    try {
      canonical = canonicalPhone(number);
    } catch {
      return null;
    }
    const row = await this.repo.confirmedPhone(canonical);
    return row ? this.users.findUserById(row.userId) : null;
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

  private async taken(number: string, userId: number): Promise<DiziError> {
    const other = await this.users.findUserById(userId);
    return new DiziError(
      'conflict',
      `${number} is already bound to ${other?.address ?? `user ${userId}`}; unbind it there first`,
      'number',
    );
  }
}

function view(user: UserEntity, row: UserPhoneEntity): PhoneView {
  return {
    address: user.address,
    number: row.number,
    confirmed: row.confirmed,
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

function locked(until: number): DiziError {
  return new DiziError(
    'forbidden',
    `too many wrong codes; try again after ${new Date(until).toISOString()}`,
    'code',
  );
}
