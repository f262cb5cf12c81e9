import { Database } from './database';
import { DomainPlanEntity, RatingPlanEntity, UsageService, UserPlanEntity } from './entities';
import { rows } from './raw-sql';

export interface NewUsageRecord {
  at: number;
  service: UsageService;
  purpose: string;
  userId: number | null;
  domainId: number | null;
  quantity: number;
  ref: string;
}

/** A record as exported: with the user's address and the domain's name when they still exist. */
export interface UsageRecordRow extends NewUsageRecord {
  id: number;
  user: string | null;
  domain: string | null;
}

/** A period [from, to) in epoch ms, optionally narrowed to one user or one domain. */
export interface UsageFilter {
  from: number;
  to: number;
  userId?: number;
  domainId?: number;
}

/** The records of one user (or none), domain and service in a period, added up. */
export interface UsageSum {
  userId: number | null;
  domainId: number | null;
  service: string;
  quantity: number;
  records: number;
}

/** A user who existed before the end of a period (the per-period fee, names). */
export interface UsageAccount {
  userId: number;
  address: string;
  domainId: number;
  domain: string;
  createdAt: number;
}

export type NewRatingPlan = Omit<RatingPlanEntity, 'id' | 'createdAt' | 'updatedAt'>;

const COLUMNS = 'at, service, purpose, user_id, domain_id, quantity, ref';
/** Rows per INSERT statement: 7 parameters each, well under either database's limit. */
const INSERT_CHUNK = 200;
/** Users per storage-day statement: keeps each SQLite write lock short. */
const STORAGE_CHUNK = 2000;
const SUBMITTED = "('submitted', 'delivered', 'failed', 'expired')";

/**
 * SQL for usage records and rating plans (H16). Writes are INSERT … ON CONFLICT
 * (service, ref) DO NOTHING: a record of the same act written twice stays one.
 */
export class UsageRepository {
  constructor(private readonly db: Database) {}

  /** Writes records in one transaction; returns how many were new. */
  insert(records: NewUsageRecord[]): Promise<number> {
    if (!records.length) return Promise.resolve(0);
    return this.db.tx(async (m) => {
      let added = 0;
      for (let i = 0; i < records.length; i += INSERT_CHUNK) {
        const chunk = records.slice(i, i + INSERT_CHUNK);
        const params = chunk.flatMap((r) => [
          r.at,
          r.service,
          r.purpose,
          r.userId,
          r.domainId,
          r.quantity,
          r.ref,
        ]);
        const values = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
        added += (
          await rows(
            m,
            `INSERT INTO usage_records (${COLUMNS}) VALUES ${values} ON CONFLICT (service, ref) DO NOTHING RETURNING id`,
            params,
          )
        ).length;
      }
      return added;
    });
  }

  /** Purpose, user and domain of SMS rows (what a submitted SMS is charged to). */
  smsOwners(
    ids: string[],
  ): Promise<
    Array<{ id: string; purpose: string; userId: number | null; domainId: number | null }>
  > {
    if (!ids.length) return Promise.resolve([]);
    return this.db.run(async (m) =>
      (
        await rows<{ id: string; purpose: string; userId: unknown; domainId: unknown }>(
          m,
          `SELECT s.id, s.purpose, s.user_id AS "userId", u.domain_id AS "domainId" FROM sms_messages s LEFT JOIN users u ON u.id = s.user_id WHERE s.id IN (${ids.map(() => '?').join(', ')})`,
          ids,
        )
      ).map((r) => ({
        id: r.id,
        purpose: r.purpose,
        userId: nullableNumber(r.userId),
        domainId: nullableNumber(r.domainId),
      })),
    );
  }

  /** Ids, addresses and domains of users, by id or by address. */
  users(by: {
    ids?: number[];
    addresses?: string[];
  }): Promise<Array<{ id: number; address: string; domainId: number }>> {
    const ids = by.ids ?? [];
    const addresses = by.addresses ?? [];
    if (!ids.length && !addresses.length) return Promise.resolve([]);
    const where = [
      ids.length ? `id IN (${ids.map(() => '?').join(', ')})` : '',
      addresses.length ? `address IN (${addresses.map(() => '?').join(', ')})` : '',
    ].filter(Boolean);
    return this.db.run(async (m) =>
      (
        await rows<{ id: unknown; address: string; domainId: unknown }>(
          m,
          `SELECT id, address, domain_id AS "domainId" FROM users WHERE ${where.join(' OR ')}`,
          [...ids, ...addresses],
        )
      ).map((r) => ({ id: Number(r.id), address: r.address, domainId: Number(r.domainId) })),
    );
  }

  /**
   * Writes the `sms` (and, for alerts, `alert`) records of SMS handed to a carrier since
   * `since` that have none: what a process that stopped abruptly had not written yet.
   * The row's last update stands in for the submit time.
   */
  recoverSms(since: number): Promise<number> {
    const from = `FROM sms_messages s LEFT JOIN users u ON u.id = s.user_id WHERE s.direction = 'out' AND s.segments > 0 AND s.status IN ${SUBMITTED} AND s.updated_at >= ?`;
    return this.db.tx(async (m) => {
      const sms = await rows(
        m,
        `INSERT INTO usage_records (${COLUMNS}) SELECT s.updated_at, 'sms', s.purpose, s.user_id, u.domain_id, s.segments, s.id ${from} ON CONFLICT (service, ref) DO NOTHING RETURNING id`,
        [since],
      );
      const alerts = await rows(
        m,
        `INSERT INTO usage_records (${COLUMNS}) SELECT s.updated_at, 'alert', '', s.user_id, u.domain_id, 1, s.id ${from} AND s.purpose = 'alert' AND s.user_id IS NOT NULL ON CONFLICT (service, ref) DO NOTHING RETURNING id`,
        [since],
      );
      return sms.length + alerts.length;
    });
  }

  /**
   * One `storage` record per user for the local day `day` (YYYY-MM-DD), quantity the
   * bytes the user holds now. Run as often as you like, on as many nodes: the ref
   * `<day>/<user id>` keeps it to one record per user and day. Returns how many were new.
   */
  async recordStorageDay(day: string, at: number): Promise<number> {
    const [top] = await this.db.run((m) =>
      rows<{ max: unknown }>(m, 'SELECT MAX(id) AS max FROM users'),
    );
    const maxId = Number(top?.max ?? 0);
    let added = 0;
    for (let low = 0; low < maxId; low += STORAGE_CHUNK) {
      added += await this.db.tx(
        async (m) =>
          (
            await rows(
              m,
              `INSERT INTO usage_records (${COLUMNS}) SELECT ?, 'storage', '', u.id, u.domain_id, u.used_bytes, ? || CAST(u.id AS VARCHAR(20)) FROM users u WHERE u.id > ? AND u.id <= ? ON CONFLICT (service, ref) DO NOTHING RETURNING id`,
              [at, `${day}/`, low, low + STORAGE_CHUNK],
            )
          ).length,
      );
    }
    return added;
  }

  /**
   * Up to `limit` records of the period in (at, id) order, after the record `after`:
   * an export reads page by page, never the whole period at once.
   */
  page(
    f: UsageFilter,
    after: { at: number; id: number } | null,
    limit: number,
  ): Promise<UsageRecordRow[]> {
    const { where, params } = filterSql(f, 'r');
    if (after) {
      where.push('(r.at > ? OR (r.at = ? AND r.id > ?))');
      params.push(after.at, after.at, after.id);
    }
    return this.db.run(async (m) =>
      (
        await rows<Record<string, unknown>>(
          m,
          `SELECT r.id, r.at, r.service, r.purpose, r.user_id AS "userId", r.domain_id AS "domainId", r.quantity, r.ref, u.address AS "user", d.name AS "domain" FROM usage_records r LEFT JOIN users u ON u.id = r.user_id LEFT JOIN domains d ON d.id = r.domain_id WHERE ${where.join(' AND ')} ORDER BY r.at, r.id LIMIT ?`,
          [...params, limit],
        )
      ).map((r) => ({
        id: Number(r.id),
        at: Number(r.at),
        service: String(r.service) as UsageService,
        purpose: String(r.purpose ?? ''),
        userId: nullableNumber(r.userId),
        domainId: nullableNumber(r.domainId),
        quantity: Number(r.quantity),
        ref: String(r.ref),
        user: r.user === null || r.user === undefined ? null : String(r.user),
        domain: r.domain === null || r.domain === undefined ? null : String(r.domain),
      })),
    );
  }

  /** The period's records added up per user, domain and service. */
  sums(f: UsageFilter): Promise<UsageSum[]> {
    const { where, params } = filterSql(f, 'r');
    return this.db.run(async (m) =>
      (
        await rows<Record<string, unknown>>(
          m,
          `SELECT r.user_id AS "userId", r.domain_id AS "domainId", r.service, SUM(r.quantity) AS quantity, COUNT(*) AS records FROM usage_records r WHERE ${where.join(' AND ')} GROUP BY r.user_id, r.domain_id, r.service`,
          params,
        )
      ).map((r) => ({
        userId: nullableNumber(r.userId),
        domainId: nullableNumber(r.domainId),
        service: String(r.service),
        quantity: Number(r.quantity),
        records: Number(r.records),
      })),
    );
  }

  /** Users created before `before` (optionally one user or one domain), with their domain. */
  accounts(
    before: number,
    only: { userId?: number; domainId?: number } = {},
  ): Promise<UsageAccount[]> {
    const where = ['u.created_at < ?'];
    const params: unknown[] = [before];
    if (only.userId !== undefined) {
      where.push('u.id = ?');
      params.push(only.userId);
    }
    if (only.domainId !== undefined) {
      where.push('u.domain_id = ?');
      params.push(only.domainId);
    }
    return this.db.run(async (m) =>
      (
        await rows<Record<string, unknown>>(
          m,
          `SELECT u.id, u.address, u.domain_id AS "domainId", d.name AS domain, u.created_at AS "createdAt" FROM users u JOIN domains d ON d.id = u.domain_id WHERE ${where.join(' AND ')}`,
          params,
        )
      ).map((r) => ({
        userId: Number(r.id),
        address: String(r.address),
        domainId: Number(r.domainId),
        domain: String(r.domain),
        createdAt: Number(r.createdAt),
      })),
    );
  }

  /** Names of every domain by id (domains are few). */
  async domainNames(): Promise<Map<number, string>> {
    const list = await this.db.run((m) =>
      rows<{ id: unknown; name: string }>(m, 'SELECT id, name FROM domains'),
    );
    return new Map(list.map((d) => [Number(d.id), d.name]));
  }

  // ---- rating plans

  plans(): Promise<RatingPlanEntity[]> {
    return this.db.run((m) => m.find(RatingPlanEntity, { order: { name: 'ASC' } }));
  }

  plan(name: string): Promise<RatingPlanEntity | null> {
    return this.db.run((m) => m.findOneBy(RatingPlanEntity, { name }));
  }

  /** Creates the plan, or replaces the prices of the plan of that name. */
  savePlan(plan: NewRatingPlan): Promise<{ plan: RatingPlanEntity; created: boolean }> {
    return this.db.tx(async (m) => {
      const now = Date.now();
      const existing = await m.findOneBy(RatingPlanEntity, { name: plan.name });
      if (existing) {
        await m.update(RatingPlanEntity, { id: existing.id }, { ...plan, updatedAt: now });
        return { plan: { ...existing, ...plan, updatedAt: now }, created: false };
      }
      const saved = await m.save(
        m.create(RatingPlanEntity, { ...plan, createdAt: now, updatedAt: now }),
      );
      return { plan: saved, created: true };
    });
  }

  /** Sets (planId) or clears (null) a domain's plan. */
  setDomainPlan(domainId: number, planId: number | null): Promise<void> {
    return this.db.tx(async (m) => {
      await m.delete(DomainPlanEntity, { domainId });
      if (planId !== null) await m.insert(DomainPlanEntity, { domainId, planId });
    });
  }

  /** Sets (planId) or clears (null) a user's own plan. */
  setUserPlan(userId: number, planId: number | null): Promise<void> {
    return this.db.tx(async (m) => {
      await m.delete(UserPlanEntity, { userId });
      if (planId !== null) await m.insert(UserPlanEntity, { userId, planId });
    });
  }

  /** Every assignment: plan id by domain id and by user id. */
  async assignments(): Promise<{ domains: Map<number, number>; users: Map<number, number> }> {
    const [d, u] = await this.db.run((m) =>
      Promise.all([m.find(DomainPlanEntity), m.find(UserPlanEntity)]),
    );
    return {
      domains: new Map(d.map((a) => [a.domainId, a.planId])),
      users: new Map(u.map((a) => [a.userId, a.planId])),
    };
  }
}

function filterSql(f: UsageFilter, alias: string): { where: string[]; params: unknown[] } {
  const where = [`${alias}.at >= ?`, `${alias}.at < ?`];
  const params: unknown[] = [f.from, f.to];
  if (f.userId !== undefined) {
    where.push(`${alias}.user_id = ?`);
    params.push(f.userId);
  }
  if (f.domainId !== undefined) {
    where.push(`${alias}.domain_id = ?`);
    params.push(f.domainId);
  }
  return { where, params };
}

function nullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
