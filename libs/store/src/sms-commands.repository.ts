import { In } from 'typeorm';
import { Database } from './database';
import {
  AccountCodeAction,
  AccountCodeEntity,
  AlertEntity,
  SmsMessageEntity,
  UserEntity,
  UserPhoneEntity,
} from './entities';
import { rows } from './raw-sql';

/**
 * Alert states of an SMS that went to the carrier (or is on its way): a reply can only
 * answer one of these (decided/capped/quiet ones never reached the phone).
 */
const ALERT_WENT_OUT = ['queued', 'submitted', 'delivered'] as const;

/** One unread INBOX message as an SMS lists it. */
export interface UnreadSummary {
  subject: string;
  /** The decoded From header (`Name <addr>` or a bare address). */
  from: string;
  internalDate: number;
}

/**
 * SQL of the SMS account commands (H4) and of replies to alerts (H5): confirmation
 * codes, the unread list, the alert an MO answers, the cancellation of a mailbox.
 */
export class SmsCommandsRepository {
  constructor(private readonly db: Database) {}

  // ---- confirmation codes

  codeOf(userId: number, action: AccountCodeAction): Promise<AccountCodeEntity | null> {
    return this.db.run((m) => m.findOneBy(AccountCodeEntity, { userId, action }));
  }

  /** Stores a new code (its hash), clearing the wrong tries; a lock in force stays. */
  putCode(
    userId: number,
    action: AccountCodeAction,
    code: { codeHash: string; expiresAt: number; sentAt: number },
  ): Promise<void> {
    return this.db.tx(async (m) => {
      const existing = await m.findOneBy(AccountCodeEntity, { userId, action });
      if (existing) {
        await m.update(AccountCodeEntity, { id: existing.id }, { ...code, failedAttempts: 0 });
        return;
      }
      await m.save(
        m.create(AccountCodeEntity, {
          userId,
          action,
          ...code,
          failedAttempts: 0,
          lockedUntil: null,
          createdAt: Date.now(),
        }),
      );
    });
  }

  /** Counts a wrong code; returns the count after it (one statement: parallel guesses all count). */
  async failedCode(id: number): Promise<number> {
    const [row] = await this.db.run((m) =>
      rows<{ n: number | string }>(
        m,
        'UPDATE account_codes SET failed_attempts = failed_attempts + 1 WHERE id = ? RETURNING failed_attempts AS n',
        [id],
      ),
    );
    return Number(row?.n ?? 0);
  }

  /** Voids the code and locks the action until `until`. */
  lockCode(id: number, until: number): Promise<void> {
    return this.db.run(async (m) => {
      await m.update(
        AccountCodeEntity,
        { id },
        { codeHash: null, expiresAt: null, lockedUntil: until },
      );
    });
  }

  // ---- the mailbox

  /**
   * Cancels a mailbox by SMS, in one transaction: the user is disabled (logins fail,
   * mail to it is refused with 550, its messages stay for an admin to restore or
   * remove), the phone is unbound (the number may register again) and its codes go.
   */
  cancelMailbox(userId: number): Promise<void> {
    return this.db.tx(async (m) => {
      await m.update(UserEntity, { id: userId }, { enabled: false });
      await m.delete(UserPhoneEntity, { userId });
      await m.delete(AccountCodeEntity, { userId });
    });
  }

  /** The unread INBOX messages of a user: how many, and the newest `limit` of them. */
  unreadInbox(userId: number, limit: number): Promise<{ total: number; newest: UnreadSummary[] }> {
    // Flags are one string. ESCAPE '!' makes the backslash of \Seen a plain character on
    // PostgreSQL too (its LIKE escapes with \ by default); no pattern here holds a '!'.
    // A message marked \Deleted is on its way out: not worth an SMS line.
    const where =
      "FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.user_id = ? AND f.name = 'INBOX' " +
      "AND m.flags NOT LIKE ? ESCAPE '!' AND m.flags NOT LIKE ? ESCAPE '!'";
    const params = [userId, '%\\Seen%', '%\\Deleted%'];
    return this.db.run(async (m) => {
      const [count] = await rows<{ n: number | string }>(
        m,
        `SELECT COUNT(*) AS n ${where}`,
        params,
      );
      const newest = await rows<{ subject: string; from_addr: string; internal_date: unknown }>(
        m,
        `SELECT m.subject, m.from_addr, m.internal_date ${where} ORDER BY m.uid DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
        params,
      );
      return {
        total: Number(count?.n ?? 0),
        newest: newest.map((r) => ({
          subject: String(r.subject ?? ''),
          from: String(r.from_addr ?? ''),
          internalDate: Number(r.internal_date),
        })),
      };
    });
  }

  /** Forgets the text of an MO row (it held a password). */
  redactSms(id: string, text: string): Promise<void> {
    return this.db.run(async (m) => {
      await m.update(SmsMessageEntity, { id }, { text });
    });
  }

  // ---- replies to alerts

  /**
   * The alert's place among all alerts of its user (1 for the first): a number no other
   * alert of that user shares, so its last digits make an extension that repeats only
   * after that many alerts to the same phone.
   */
  async alertOrdinal(userId: number, alertId: number): Promise<number> {
    const [row] = await this.db.run((m) =>
      rows<{ n: number | string }>(
        m,
        'SELECT COUNT(*) AS n FROM alerts WHERE user_id = ? AND id <= ?',
        [userId, alertId],
      ),
    );
    return Number(row?.n ?? 0);
  }

  setReplyExtension(alertId: number, extension: string): Promise<void> {
    return this.db.run(async (m) => {
      await m.update(AlertEntity, { id: alertId }, { replyExtension: extension });
    });
  }

  /** The latest alert that went out to this user and number that went out with `extension`. */
  alertByExtension(userId: number, number: string, extension: string): Promise<AlertEntity | null> {
    return this.db.run((m) =>
      m.findOne(AlertEntity, {
        where: {
          userId,
          phoneNumber: number,
          replyExtension: extension,
          state: In([...ALERT_WENT_OUT]),
        },
        order: { id: 'DESC' },
      }),
    );
  }

  /** The latest alert sent to this user and number since `since`, or null. */
  latestAlert(userId: number, number: string, since: number): Promise<AlertEntity | null> {
    return this.db.run((m) =>
      m
        .createQueryBuilder(AlertEntity, 'a')
        .where('a.user_id = :u', { u: userId })
        .andWhere('a.phone_number = :n', { n: number })
        .andWhere('a.state IN (:...s)', { s: [...ALERT_WENT_OUT] })
        .andWhere('a.created_at >= :t', { t: since })
        .orderBy('a.id', 'DESC')
        .getOne(),
    );
  }
}
