import { DiziError } from '@dizi/errors';
import type {
  BillingPeriod,
  DirectoryRepository,
  NewRatingPlan,
  RatingPlanEntity,
  UsageRepository,
} from '@dizi/store';
import { formatMicros, parsePrice } from './money';

/** Prices as given through the API or CLI: decimal strings or numbers, in currency units. */
export interface PlanInput {
  currency?: string;
  smsSegment?: unknown;
  mms?: unknown;
  alert?: unknown;
  storageMbDay?: unknown;
  trafficMb?: unknown;
  periodFee?: unknown;
  period?: string;
}

/** A plan as shown: prices as decimal strings, with the domains and users it is assigned to. */
export interface PlanView {
  name: string;
  currency: string;
  smsSegment: string;
  mms: string;
  alert: string;
  storageMbDay: string;
  trafficMb: string;
  periodFee: string;
  period: BillingPeriod;
  domains: string[];
  users: string[];
}

const PRICES = ['smsSegment', 'mms', 'alert', 'storageMbDay', 'trafficMb', 'periodFee'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Rating plans and who they apply to (a domain's users, or one user over the domain's). */
export class PlanBook {
  constructor(
    private readonly repo: UsageRepository,
    private readonly directory: DirectoryRepository,
  ) {}

  async list(): Promise<PlanView[]> {
    const [plans, views] = await Promise.all([this.repo.plans(), this.assignmentNames()]);
    return plans.map((p) => this.view(p, views));
  }

  async get(name: string): Promise<PlanView> {
    const plan = await this.require(name);
    return this.view(plan, await this.assignmentNames());
  }

  /** Creates the plan, or changes the prices given (the others stay as they were). */
  async save(name: string, input: PlanInput): Promise<{ plan: PlanView; created: boolean }> {
    if (!NAME.test(name))
      throw new DiziError(
        'invalid',
        'a plan name is 1 to 64 letters, digits, dots, dashes or underscores',
        'name',
      );
    const existing = await this.repo.plan(name);
    const next: NewRatingPlan = {
      name,
      currency: existing?.currency ?? 'CNY',
      smsSegment: existing?.smsSegment ?? 0,
      mms: existing?.mms ?? 0,
      alert: existing?.alert ?? 0,
      storageMbDay: existing?.storageMbDay ?? 0,
      trafficMb: existing?.trafficMb ?? 0,
      periodFee: existing?.periodFee ?? 0,
      period: existing?.period ?? 'month',
    };
    if (input.currency !== undefined) {
      const c = String(input.currency).trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(c))
        throw new DiziError(
          'invalid',
          'currency is a 3-letter ISO 4217 code, e.g. CNY',
          'currency',
        );
      next.currency = c;
    }
    for (const k of PRICES) if (input[k] !== undefined) next[k] = parsePrice(input[k], k);
    if (input.period !== undefined) {
      if (input.period !== 'month' && input.period !== 'day')
        throw new DiziError('invalid', 'period is month or day', 'period');
      next.period = input.period;
    }
    const saved = await this.repo.savePlan(next);
    return { plan: this.view(saved.plan, await this.assignmentNames()), created: saved.created };
  }

  /** Gives a domain's users a plan (null: none). */
  async assignDomain(domain: string, planName: string | null): Promise<void> {
    const d = await this.directory.findDomain(domain.trim().toLowerCase());
    if (!d) throw new DiziError('not-found', `no domain ${domain}`, 'domain');
    const plan = planName === null ? null : await this.require(planName, 'plan');
    await this.repo.setDomainPlan(d.id, plan?.id ?? null);
  }

  /** Gives one user a plan of their own (null: back to the domain's). */
  async assignUser(address: string, planName: string | null): Promise<void> {
    const u = await this.directory.findUser(address.trim().toLowerCase());
    if (!u) throw new DiziError('not-found', `no user ${address}`, 'user');
    const plan = planName === null ? null : await this.require(planName, 'plan');
    await this.repo.setUserPlan(u.id, plan?.id ?? null);
  }

  private async require(name: string, field = 'name'): Promise<RatingPlanEntity> {
    const plan = await this.repo.plan(name);
    if (!plan) throw new DiziError('not-found', `no plan ${name} (see \`dizi plan list\`)`, field);
    return plan;
  }

  private async assignmentNames(): Promise<Map<number, { domains: string[]; users: string[] }>> {
    const [{ domains, users }, domainNames] = await Promise.all([
      this.repo.assignments(),
      this.repo.domainNames(),
    ]);
    const userRows = await this.repo.users({ ids: [...users.keys()] });
    const names = new Map(userRows.map((u) => [u.id, u.address]));
    const out = new Map<number, { domains: string[]; users: string[] }>();
    const entry = (planId: number) => {
      let e = out.get(planId);
      if (!e) out.set(planId, (e = { domains: [], users: [] }));
      return e;
    };
    for (const [domainId, planId] of domains)
      entry(planId).domains.push(domainNames.get(domainId) ?? `#${domainId}`);
    for (const [userId, planId] of users)
      entry(planId).users.push(names.get(userId) ?? `#${userId}`);
    for (const e of out.values()) {
      e.domains.sort();
      e.users.sort();
    }
    return out;
  }

  private view(
    p: RatingPlanEntity,
    assigned: Map<number, { domains: string[]; users: string[] }>,
  ): PlanView {
    return {
      name: p.name,
      currency: p.currency,
      smsSegment: formatMicros(p.smsSegment),
      mms: formatMicros(p.mms),
      alert: formatMicros(p.alert),
      storageMbDay: formatMicros(p.storageMbDay),
      trafficMb: formatMicros(p.trafficMb),
      periodFee: formatMicros(p.periodFee),
      period: p.period,
      domains: assigned.get(p.id)?.domains ?? [],
      users: assigned.get(p.id)?.users ?? [],
    };
  }
}
