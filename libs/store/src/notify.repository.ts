import { EntityManager, In } from 'typeorm';
import { Database } from './database';
import {
  AlertEntity,
  AlertRuleEntity,
  AlertState,
  DomainAlertSettingsEntity,
  SmsMessageEntity,
  UserPhoneEntity,
} from './entities';
import { bool, rows } from './raw-sql';

export type NewAlertRule = Omit<AlertRuleEntity, 'id' | 'createdAt'>;
export type NewAlert = Omit<
  AlertEntity,
  'id' | 'createdAt' | 'updatedAt' | 'queuedAt' | 'submittedAt' | 'finishedAt'
>;

/** An INBOX message the catch-up may still have to decide on. */
export interface UndecidedDelivery {
  userId: number;
  messageId: number;
  blobId: string;
  internalDate: number;
  flags: string;
}

/** What deciding on a user's delivery needs: their rules, phone and domain's alert text. */
export interface AlertContext {
  rules: AlertRuleEntity[];
  phone: UserPhoneEntity | null;
  /** The domain's own template and segments (null: the configuration's). */
  template: string | null;
  segments: number | null;
}

/** The SMS row fields alerts and the SMS folder follow. */
export interface SmsFacts {
  id: string;
  direction: string;
  toNumber: string;
  fromNumber: string;
  text: string;
  status: string;
  purpose: string;
  userId: number | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The alert state an SMS status means (see AlertState). */
export function alertStateOfSms(status: string): AlertState {
  if (status === 'submitted') return 'submitted';
  if (status === 'delivered') return 'delivered';
  if (status === 'failed' || status === 'expired') return 'failed';
  return 'queued';
}

const ALERT_COLUMNS =
  'user_id, rule_id, message_id, blob_id, phone_number, from_address, mail_subject, mail_message_id, ' +
  'reply_extension, state, text, sms_id, error, day, created_at, updated_at';

/** SQL for phone bindings, alert rules, the alert log and the daily alert counters. */
export class NotifyRepository {
  constructor(private readonly db: Database) {}

  /** Whether transactions run side by side (PostgreSQL) or one at a time (SQLite). */
  get concurrentTransactions(): boolean {
    return !this.db.isSqlite;
  }

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
   * What the alert decisions of these users need, in three queries for all of them (the
   * live path decides many deliveries at once under load).
   */
  alertContexts(userIds: number[]): Promise<Map<number, AlertContext>> {
    const ids = [...new Set(userIds)];
    return this.db.run(async (m) => {
      const out = new Map<number, AlertContext>();
      for (const id of ids) out.set(id, { rules: [], phone: null, template: null, segments: null });
      if (!ids.length) return out;
      for (const r of await m.find(AlertRuleEntity, {
        where: { userId: In(ids) },
        order: { id: 'ASC' },
      }))
        out.get(r.userId)?.rules.push(r);
      for (const p of await m.find(UserPhoneEntity, { where: { userId: In(ids) } }))
        out.get(p.userId)!.phone = p;
      const own = await rows<{
        id: number | string;
        template: string | null;
        segments: number | null;
      }>(
        m,
        'SELECT u.id, s.template, s.segments FROM users u JOIN domain_alert_settings s ON s.domain_id = u.domain_id ' +
          `WHERE u.id IN (${ids.map(() => '?').join(',')})`,
        ids,
      );
      for (const r of own) {
        const c = out.get(Number(r.id))!;
        c.template = r.template;
        c.segments = r.segments === null ? null : Number(r.segments);
      }
      return out;
    });
  }

  /**
   * Records the decision on one delivery, once: the row is keyed by (user, blob), so a
   * delivery decided twice (the live path and a catch-up, on any node) gets one row and
   * takes one allowance. A `decided` alert over `cap` becomes `capped` in the same
   * transaction. Null when the delivery had a decision already.
   */
  async decideAlert(alert: NewAlert, cap: number | null): Promise<AlertEntity | null> {
    return (await this.decideAlerts([{ alert, cap }]))[0];
  }

  /** `decideAlert` for many deliveries in one transaction (one commit). */
  decideAlerts(
    items: Array<{ alert: NewAlert; cap: number | null }>,
  ): Promise<Array<AlertEntity | null>> {
    return this.db.tx(async (m) => {
      const out: Array<AlertEntity | null> = [];
      for (const { alert, cap } of items) out.push(await decideOne(m, alert, cap));
      return out;
    });
  }

  /**
   * A stale `decided` alert whose SMS row never came: it is sent under a new SMS id (a
   * late send of the old one, if any, then is a second SMS, never a clash of ids).
   */
  renewAlertSms(id: number, smsId: string): Promise<boolean> {
    return this.db.run(
      async (m) =>
        (
          await rows(
            m,
            "UPDATE alerts SET sms_id = ?, updated_at = ? WHERE id = ? AND state = 'decided' RETURNING id",
            [smsId, Date.now(), id],
          )
        ).length > 0,
    );
  }

  /** Whether the SMS row exists (the alert's SMS was queued). */
  smsExists(smsId: string): Promise<boolean> {
    return this.db.run(
      async (m) =>
        (await rows(m, 'SELECT 1 AS x FROM sms_messages WHERE id = ?', [smsId])).length > 0,
    );
  }

  /** An alert whose SMS could not even be queued. */
  alertFailed(id: number, error: string): Promise<void> {
    const now = Date.now();
    return this.db.run(async (m) => {
      await rows(
        m,
        "UPDATE alerts SET state = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND state = 'decided'",
        [error, now, now, id],
      );
    });
  }

  /**
   * Brings the alerts of these SMS in line with their SMS rows (the SMS row is the
   * truth; the alert follows it): a `decided` alert whose SMS row exists is queued (at
   * the row's creation), and so on to submitted, delivered or failed. `at` is when the change was seen; a sweep passes
   * null and the SMS row's own time is used. Returns the alerts that changed.
   */
  followSms(
    smsIds: string[],
    at: number | null,
  ): Promise<Array<{ id: number; state: AlertState }>> {
    if (!smsIds.length) return Promise.resolve([]);
    return this.db.tx(async (m) => {
      const found = await rows<{
        id: number | string;
        state: AlertState;
        status: string;
        error: string | null;
        updated: number | string;
        link_id: string | null;
        created: number | string;
      }>(
        m,
        'SELECT a.id, a.state, s.status, s.error, s.updated_at AS updated, s.link_id, s.created_at AS created ' +
          'FROM alerts a JOIN sms_messages s ON s.id = a.sms_id ' +
          `WHERE a.sms_id IN (${smsIds.map(() => '?').join(',')}) AND a.state IN ('decided', 'queued', 'submitted')`,
        smsIds,
      );
      const changed: Array<{ id: number; state: AlertState }> = [];
      for (const r of found) {
        const next = alertStateOfSms(r.status);
        if (next === r.state || (r.state === 'submitted' && next === 'queued')) continue;
        const when = at ?? Number(r.updated);
        const final = next === 'delivered' || next === 'failed';
        // A link took it (it has a link), whether or not its `submitted` was seen here.
        const submitted = next === 'submitted' || next === 'delivered' || r.link_id !== null;
        await rows(
          m,
          'UPDATE alerts SET state = ?, updated_at = ?, queued_at = COALESCE(queued_at, ?), ' +
            'submitted_at = CASE WHEN ? = 1 THEN COALESCE(submitted_at, ?) ELSE submitted_at END, ' +
            'finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END, error = ? WHERE id = ?',
          [
            next,
            Date.now(),
            Number(r.created), // the SMS row was written when its job was queued
            submitted ? 1 : 0,
            when,
            final ? 1 : 0,
            when,
            next === 'failed' ? (r.error ?? 'the SMS failed').slice(0, 1000) : null,
            Number(r.id),
          ],
        );
        changed.push({ id: Number(r.id), state: next });
      }
      return changed;
    });
  }

  /** SMS ids of alerts still waiting for their SMS to finish (the periodic sweep). */
  openAlertSms(limit = 1000): Promise<string[]> {
    return this.db.run(async (m) =>
      (
        await rows<{ sms_id: string }>(
          m,
          "SELECT sms_id FROM alerts WHERE state IN ('decided', 'queued', 'submitted') AND sms_id IS NOT NULL ORDER BY id LIMIT ?",
          [limit],
        )
      ).map((r) => r.sms_id),
    );
  }

  // ---- watermarks of decided deliveries

  /**
   * Raises users' watermarks (never lowers them): one transaction for many users, so the
   * live path can write them in a batch every second instead of once per alert.
   */
  raiseWatermarks(marks: Array<{ userId: number; messageId: number }>): Promise<void> {
    if (!marks.length) return Promise.resolve();
    return this.db.tx(async (m) => {
      const now = Date.now();
      for (const w of marks) {
        await rows(
          m,
          'INSERT INTO alert_watermarks (user_id, message_id, updated_at) VALUES (?, ?, ?) ' +
            'ON CONFLICT (user_id) DO UPDATE SET message_id = excluded.message_id, updated_at = excluded.updated_at ' +
            'WHERE alert_watermarks.message_id < excluded.message_id',
          [w.userId, w.messageId, now],
        );
      }
    });
  }

  /** Starts (or moves up) a user's watermark at their newest message: a new rule alerts from now on. */
  startWatermark(userId: number): Promise<void> {
    return this.db.tx(async (m) => {
      const [r] = await rows<{ n: number | string | null }>(
        m,
        'SELECT MAX(m.id) AS n FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.user_id = ?',
        [userId],
      );
      await rows(
        m,
        'INSERT INTO alert_watermarks (user_id, message_id, updated_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT (user_id) DO UPDATE SET message_id = excluded.message_id, updated_at = excluded.updated_at ' +
          'WHERE alert_watermarks.message_id < excluded.message_id',
        [userId, Number(r?.n ?? 0), Date.now()],
      );
    });
  }

  watermark(userId: number): Promise<number | null> {
    return this.db.run(async (m) => {
      const [r] = await rows<{ message_id: number | string }>(
        m,
        'SELECT message_id FROM alert_watermarks WHERE user_id = ?',
        [userId],
      );
      return r ? Number(r.message_id) : null;
    });
  }

  /**
   * INBOX messages above their owner's watermark, received in [since, until], that have
   * no alert yet: what the catch-up decides on, oldest id first.
   */
  undecidedDeliveries(since: number, until: number, limit = 500): Promise<UndecidedDelivery[]> {
    return this.db.run(async (m) =>
      (
        await rows<{
          user_id: number | string;
          id: number | string;
          blob_id: string;
          internal_date: number | string;
          flags: string;
        }>(
          m,
          'SELECT f.user_id, m.id, m.blob_id, m.internal_date, m.flags FROM alert_watermarks w ' +
            "JOIN folders f ON f.user_id = w.user_id AND f.name = 'INBOX' " +
            'JOIN messages m ON m.folder_id = f.id AND m.id > w.message_id ' +
            'WHERE m.internal_date >= ? AND m.internal_date <= ? ' +
            'AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.user_id = f.user_id AND a.blob_id = m.blob_id) ' +
            'ORDER BY m.id LIMIT ?',
          [since, until, limit],
        )
      ).map((r) => ({
        userId: Number(r.user_id),
        messageId: Number(r.id),
        blobId: r.blob_id,
        internalDate: Number(r.internal_date),
        flags: r.flags,
      })),
    );
  }

  /**
   * Per user, INBOX messages above the watermark received before `since` (too old to
   * alert) and below every younger one there: the watermark may move past them without
   * passing a delivery that may still need its decision.
   */
  staleDeliveries(since: number): Promise<Array<{ userId: number; maxId: number; count: number }>> {
    return this.db.run(async (m) =>
      (
        await rows<{ user_id: number | string; max_id: number | string; n: number | string }>(
          m,
          'SELECT f.user_id, MAX(m.id) AS max_id, COUNT(*) AS n FROM alert_watermarks w ' +
            "JOIN folders f ON f.user_id = w.user_id AND f.name = 'INBOX' " +
            'JOIN messages m ON m.folder_id = f.id AND m.id > w.message_id ' +
            'WHERE m.internal_date < ? AND NOT EXISTS (SELECT 1 FROM messages y WHERE y.folder_id = f.id ' +
            'AND y.id > w.message_id AND y.id < m.id AND y.internal_date >= ?) GROUP BY f.user_id',
          [since, since],
        )
      ).map((r) => ({ userId: Number(r.user_id), maxId: Number(r.max_id), count: Number(r.n) })),
    );
  }

  // ---- per-domain alert settings

  domainAlertSettings(domainId: number): Promise<DomainAlertSettingsEntity | null> {
    return this.db.run((m) => m.findOneBy(DomainAlertSettingsEntity, { domainId }));
  }

  /** Sets a domain's template and segments (null: back to the notify.* defaults). */
  setDomainAlertSettings(
    domainId: number,
    patch: Partial<Pick<DomainAlertSettingsEntity, 'template' | 'segments'>>,
  ): Promise<DomainAlertSettingsEntity> {
    return this.db.tx(async (m) => {
      const current = (await m.findOneBy(DomainAlertSettingsEntity, { domainId })) ?? {
        domainId,
        template: null,
        segments: null,
        updatedAt: 0,
      };
      const next = { ...current, ...patch, updatedAt: Date.now() };
      await m.save(m.create(DomainAlertSettingsEntity, next));
      return next;
    });
  }

  // ---- SMS rows (read-only: libs/sms owns them)

  smsFacts(ids: string[]): Promise<SmsFacts[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db.run((m) => m.find(SmsMessageEntity, { where: { id: In(ids) } }));
  }

  /** Whether a user's folder holds a message with this Message-ID (the SMS folder's filing is idempotent). */
  hasMessageWithId(userId: number, folder: string, messageId: string): Promise<boolean> {
    return this.db.run(
      async (m) =>
        (
          await rows(
            m,
            'SELECT 1 AS x FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.user_id = ? AND f.name = ? AND m.message_id = ? LIMIT 1',
            [userId, folder, messageId],
          )
        ).length > 0,
    );
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

async function decideOne(
  m: EntityManager,
  alert: NewAlert,
  cap: number | null,
): Promise<AlertEntity | null> {
  const now = Date.now();
  const [row] = await rows<{ id: number | string }>(
    m,
    `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ` +
      'ON CONFLICT (user_id, blob_id) DO NOTHING RETURNING id',
    [
      alert.userId,
      alert.ruleId,
      alert.messageId,
      alert.blobId,
      alert.phoneNumber,
      alert.fromAddress,
      alert.mailSubject,
      alert.mailMessageId,
      alert.replyExtension,
      alert.state,
      alert.text,
      alert.smsId,
      alert.error,
      alert.day,
      now,
      now,
    ],
  );
  if (!row) return null;
  let state = alert.state;
  if (state === 'decided' && cap !== null) {
    // One conditional upsert: concurrent deliveries (even on other nodes) never pass the
    // cap; the first of the day starts the counter at 1 (a cap of 0 takes nothing).
    const taken =
      cap > 0
        ? await rows(
            m,
            'INSERT INTO alert_counters (user_id, day, count) VALUES (?, ?, 1) ON CONFLICT (user_id, day) ' +
              'DO UPDATE SET count = alert_counters.count + 1 WHERE alert_counters.count < ? RETURNING count',
            [alert.userId, alert.day, cap],
          )
        : [];
    if (!taken.length) {
      state = 'capped';
      await rows(m, "UPDATE alerts SET state = 'capped', sms_id = NULL WHERE id = ?", [
        Number(row.id),
      ]);
    }
  }
  return {
    ...alert,
    id: Number(row.id),
    state,
    smsId: state === 'capped' ? null : alert.smsId,
    createdAt: now,
    updatedAt: now,
    queuedAt: null,
    submittedAt: null,
    finishedAt: null,
  };
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
