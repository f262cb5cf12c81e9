import { Database } from './database';
import {
  AlertEntity,
  AlertRuleEntity,
  AlertState,
  SmsMessageEntity,
  UserPhoneEntity,
} from './entities';
import { bool, rows } from './raw-sql';

export type NewAlertRule = Omit<AlertRuleEntity, 'id' | 'createdAt'>;
export type NewAlert = Omit<AlertEntity, 'id' | 'createdAt' | 'updatedAt'>;

/** SQL for phone bindings, alert rules, the alert log and the daily alert counters. */
export class NotifyRepository {
  constructor(private readonly db: Database) {}

  // ---- phones

  phoneOfUser(userId: number): Promise<UserPhoneEntity | null> {
    return this.db.run((m) => m.findOneBy(UserPhoneEntity, { userId }));
  }

  /** The confirmed binding of a number (at most one: binding checks it). */
  confirmedPhone(number: string): Promise<UserPhoneEntity | null> {
    return this.db.run((m) => m.findOneBy(UserPhoneEntity, { number, confirmed: true }));
  }

  /**
   * Creates or replaces the user's binding, in one transaction with the check that no
   * other user holds the number confirmed. Returns the row, or the other user's id.
   */
  bindPhone(
    userId: number,
    number: string,
    patch: Partial<
      Pick<UserPhoneEntity, 'confirmed' | 'codeHash' | 'codeExpiresAt' | 'codeSentAt'>
    >,
  ): Promise<{ row: UserPhoneEntity } | { takenBy: number }> {
    return this.db.tx(async (m) => {
      const holder = await m.findOneBy(UserPhoneEntity, { number, confirmed: true });
      if (holder && holder.userId !== userId) return { takenBy: holder.userId };
      const now = Date.now();
      const existing = await m.findOneBy(UserPhoneEntity, { userId });
      const base = {
        number,
        confirmed: false,
        codeHash: null,
        codeExpiresAt: null,
        failedAttempts: 0,
        lockedUntil: existing?.number === number ? existing.lockedUntil : null,
        updatedAt: now,
        ...patch,
      };
      if (existing) {
        await m.update(UserPhoneEntity, { id: existing.id }, base);
        return { row: { ...existing, ...base } };
      }
      const row = await m.save(
        m.create(UserPhoneEntity, { userId, codeSentAt: null, createdAt: now, ...base }),
      );
      return { row };
    });
  }

  updatePhone(
    id: number,
    patch: Partial<Omit<UserPhoneEntity, 'id' | 'userId' | 'createdAt'>>,
  ): Promise<void> {
    return this.db.run(async (m) => {
      await m.update(UserPhoneEntity, { id }, { ...patch, updatedAt: Date.now() });
    });
  }

  /** Counts a wrong code; returns the count after it (atomic, so parallel guesses all count). */
  failedCode(id: number): Promise<number> {
    return this.db.tx(async (m) => {
      await m.increment(UserPhoneEntity, { id }, 'failedAttempts', 1);
      const row = await m.findOneBy(UserPhoneEntity, { id });
      return row?.failedAttempts ?? 0;
    });
  }

  removePhone(userId: number): Promise<boolean> {
    return this.db.run(
      async (m) => ((await m.delete(UserPhoneEntity, { userId })).affected ?? 0) > 0,
    );
  }

  // ---- rules

  addRule(rule: NewAlertRule): Promise<AlertRuleEntity> {
    return this.db.run((m) =>
      m.save(m.create(AlertRuleEntity, { ...rule, createdAt: Date.now() })),
    );
  }

  /**
   * Hand-written SQL: the alert engine asks for every local delivery, and most users have
   * no rule, so this is mostly an empty answer that TypeORM's find would make expensive.
   */
  rules(userId: number): Promise<AlertRuleEntity[]> {
    return this.db.run(async (m) =>
      (
        await rows<Record<string, unknown>>(
          m,
          'SELECT * FROM alert_rules WHERE user_id = ? ORDER BY id',
          [userId],
        )
      ).map(toAlertRule),
    );
  }

  removeRule(userId: number, id: number): Promise<boolean> {
    return this.db.run(
      async (m) => ((await m.delete(AlertRuleEntity, { userId, id })).affected ?? 0) > 0,
    );
  }

  // ---- alerts

  /**
   * Takes one alert from the user's allowance for `day`: true when it was under `cap`.
   * One conditional UPDATE, so concurrent deliveries (even on other nodes) can never
   * pass the cap between them.
   */
  takeAlertAllowance(userId: number, day: string, cap: number): Promise<boolean> {
    return this.db.tx(async (m) => {
      await rows(
        m,
        'INSERT INTO alert_counters (user_id, day, count) VALUES (?, ?, 0) ON CONFLICT (user_id, day) DO NOTHING',
        [userId, day],
      );
      const taken = await rows<{ count: number }>(
        m,
        'UPDATE alert_counters SET count = count + 1 WHERE user_id = ? AND day = ? AND count < ? RETURNING count',
        [userId, day, cap],
      );
      return taken.length > 0;
    });
  }

  addAlert(alert: NewAlert): Promise<AlertEntity> {
    const now = Date.now();
    return this.db.run((m) =>
      m.save(m.create(AlertEntity, { ...alert, createdAt: now, updatedAt: now })),
    );
  }

  updateAlert(
    id: number,
    state: AlertState,
    patch: Partial<Pick<AlertEntity, 'smsId' | 'error'>> = {},
  ): Promise<void> {
    return this.db.run(async (m) => {
      await m.update(AlertEntity, { id }, { ...patch, state, updatedAt: Date.now() });
    });
  }

  alerts(userId: number, limit = 100): Promise<AlertEntity[]> {
    return this.db.run((m) =>
      m.find(AlertEntity, { where: { userId }, order: { id: 'DESC' }, take: limit }),
    );
  }

  /** Alerts decided but never handed to the SMS service (the process stopped in between). */
  undispatchedAlerts(olderThan: number, limit = 1000): Promise<AlertEntity[]> {
    return this.db.run((m) =>
      m
        .createQueryBuilder(AlertEntity, 'a')
        .where('a.state IN (:...states)', { states: ['decided'] })
        .andWhere('a.created_at < :t', { t: olderThan })
        .orderBy('a.id', 'ASC')
        .take(limit)
        .getMany(),
    );
  }

  /**
   * Claims a stale `decided` alert for re-sending: only the caller whose conditional
   * UPDATE sees the row unchanged gets it, so two nodes never both send it.
   */
  claimAlert(id: number, seenUpdatedAt: number): Promise<boolean> {
    return this.db.tx(async (m) => {
      const r = await m.update(
        AlertEntity,
        { id, state: 'decided', updatedAt: seenUpdatedAt },
        { updatedAt: Date.now() },
      );
      return (r.affected ?? 0) > 0;
    });
  }

  // ---- SMS answers

  /** Outbound SMS of a purpose to a number since a time (rate limits on automatic answers). */
  smsSentTo(number: string, purposes: string[], since: number): Promise<number> {
    return this.db.run((m) =>
      m
        .createQueryBuilder(SmsMessageEntity, 's')
        .where('s.direction = :d', { d: 'out' })
        .andWhere('s.to_number = :n', { n: number })
        .andWhere('s.purpose IN (:...p)', { p: purposes })
        .andWhere('s.created_at >= :t', { t: since })
        .getCount(),
    );
  }
}

function toAlertRule(r: Record<string, unknown>): AlertRuleEntity {
  const orNull = <T>(v: unknown, f: (x: unknown) => T): T | null =>
    v === null || v === undefined ? null : f(v);
  return Object.assign(new AlertRuleEntity(), {
    id: Number(r.id),
    userId: Number(r.user_id),
    enabled: bool(r.enabled),
    senders: String(r.senders ?? ''),
    keywords: String(r.keywords ?? ''),
    highPriority: bool(r.high_priority),
    folder: orNull(r.folder, String),
    quietStart: orNull(r.quiet_start, String),
    quietEnd: orNull(r.quiet_end, String),
    dailyCap: orNull(r.daily_cap, Number),
    createdAt: Number(r.created_at),
  });
}
