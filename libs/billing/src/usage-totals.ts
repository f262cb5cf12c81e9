import type { UsageAccount, UsageSum } from '@dizi/store';
import { Period, periodsIn } from './period';
import {
  addAmounts,
  addQuantities,
  addService,
  emptyAmounts,
  emptyQuantities,
  rate,
  RatingPlan,
  UsageQuantities,
} from './rating';
import type { TotalsBy, TotalsReport, TotalsRow } from './usage-format';

/** Everything a totals report is computed from (read from SQL by the caller). */
export interface TotalsInput {
  period: Period;
  by: TotalsBy;
  timeZone: string;
  sums: UsageSum[];
  accounts: UsageAccount[];
  domainNames: Map<number, string>;
  plans: Map<number, RatingPlan>;
  domainPlans: Map<number, number>;
  userPlans: Map<number, number>;
  /** The plan of users without one whose domain has none (usage.defaultPlan). */
  defaultPlan: RatingPlan | null;
}

interface UserLine {
  userId: number | null;
  user: string;
  domainId: number | null;
  domain: string;
  createdAt: number | null;
  quantities: UsageQuantities;
}

/**
 * Rates a period per user, or per domain (the sum of its users, each priced at the
 * plan that applies to them: their own, else their domain's, else the default). Every
 * user that existed in the period is listed, with the per-period fee even when they
 * used nothing. Usage without a user (admin alerts) is listed under user '' and not
 * priced; a removed user shows as `#<id>` and pays no period fee.
 */
export function computeTotals(input: TotalsInput): TotalsReport {
  const { period, timeZone } = input;
  const lines = new Map<string, UserLine>();
  const domainName = (id: number | null) =>
    id === null ? '' : (input.domainNames.get(id) ?? `#${id}`);
  for (const a of input.accounts) {
    lines.set(`u${a.userId}`, {
      userId: a.userId,
      user: a.address,
      domainId: a.domainId,
      domain: a.domain,
      createdAt: a.createdAt,
      quantities: emptyQuantities(),
    });
  }
  for (const s of input.sums) {
    const key = s.userId === null ? `d${s.domainId ?? ''}` : `u${s.userId}`;
    let line = lines.get(key);
    if (!line) {
      line = {
        userId: s.userId,
        user: s.userId === null ? '' : `#${s.userId}`,
        domainId: s.domainId,
        domain: domainName(s.domainId),
        createdAt: null,
        quantities: emptyQuantities(),
      };
      lines.set(key, line);
    }
    addService(line.quantities, s.service, s.quantity);
  }

  const planOf = (line: UserLine): RatingPlan | null => {
    if (line.userId === null) return null;
    const id =
      input.userPlans.get(line.userId) ??
      (line.domainId === null ? undefined : input.domainPlans.get(line.domainId));
    if (id !== undefined) return input.plans.get(id) ?? null;
    return input.defaultPlan;
  };
  const userRows: Array<{ row: TotalsRow; domainId: number | null }> = [];
  for (const line of lines.values()) {
    const plan = planOf(line);
    if (plan && line.createdAt !== null)
      line.quantities.periods = periodsIn(
        Math.max(period.from, line.createdAt),
        period.to,
        plan.period,
        timeZone,
      );
    userRows.push({
      domainId: line.domainId,
      row: {
        user: line.user,
        domain: line.domain,
        plan: plan?.name ?? '',
        currency: plan?.currency ?? '',
        quantities: line.quantities,
        amounts: rate(plan, line.quantities),
      },
    });
  }
  if (input.by === 'user') {
    const rows = userRows
      .map((u) => u.row)
      .sort(
        (a, b) => a.domain.localeCompare(b.domain) || (a.user ?? '').localeCompare(b.user ?? ''),
      );
    return { from: period.from, to: period.to, by: 'user', rows };
  }

  // By domain: one row per domain and currency (several only when users' own plans
  // are in another currency than the domain's); unpriced usage joins the domain's row.
  const domainRows = new Map<string, TotalsRow>();
  for (const { row: r, domainId } of userRows) {
    const planId = domainId === null ? undefined : input.domainPlans.get(domainId);
    const domainPlan =
      planId !== undefined
        ? (input.plans.get(planId) ?? null)
        : domainId === null
          ? null
          : input.defaultPlan;
    const currency = r.currency || domainPlan?.currency || '';
    const key = `${r.domain}\n${currency}`;
    let row = domainRows.get(key);
    if (!row) {
      row = {
        domain: r.domain,
        plan: domainPlan?.name ?? '',
        currency,
        quantities: emptyQuantities(),
        amounts: emptyAmounts(),
      };
      domainRows.set(key, row);
    }
    addQuantities(row.quantities, r.quantities);
    addAmounts(row.amounts, r.amounts);
  }
  return {
    from: period.from,
    to: period.to,
    by: 'domain',
    rows: [...domainRows.values()].sort(
      (a, b) => a.domain.localeCompare(b.domain) || a.currency.localeCompare(b.currency),
    ),
  };
}
