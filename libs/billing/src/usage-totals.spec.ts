import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UsageAccount, UsageSum } from '@dizi/store';
import { parsePrice } from './money';
import { parsePeriod } from './period';
import { MB, RatingPlan } from './rating';
import { computeTotals, TotalsInput } from './usage-totals';

const TZ = 'Asia/Shanghai';
const p = (s: string) => parsePrice(s, 'x');
const basic: RatingPlan = {
  name: 'basic',
  currency: 'CNY',
  smsSegment: p('0.1'),
  mms: 0,
  alert: p('0.05'),
  storageMbDay: p('0.001'),
  trafficMb: p('0.02'),
  periodFee: p('5'),
  period: 'month',
};
const vip: RatingPlan = { ...basic, name: 'vip', smsSegment: 0, periodFee: p('1'), period: 'day' };
const period = parsePeriod('2024-11-01', '2024-11-30', TZ);
const before = period.from - 86_400_000;
const accounts: UsageAccount[] = [
  { userId: 1, address: 'li@a.test', domainId: 10, domain: 'a.test', createdAt: before },
  { userId: 2, address: 'wang@a.test', domainId: 10, domain: 'a.test', createdAt: before },
  { userId: 3, address: 'zhao@b.test', domainId: 20, domain: 'b.test', createdAt: before },
  // Created on November 21st: 10 days of November.
  {
    userId: 4,
    address: 'new@a.test',
    domainId: 10,
    domain: 'a.test',
    createdAt: Date.parse('2024-11-21T09:00:00+08:00'),
  },
];
const sum = (
  userId: number | null,
  domainId: number | null,
  service: string,
  quantity: number,
): UsageSum => ({
  userId,
  domainId,
  service,
  quantity,
  records: 1,
});
const input = (over: Partial<TotalsInput> = {}): TotalsInput => ({
  period,
  by: 'user',
  timeZone: TZ,
  sums: [
    sum(1, 10, 'sms', 4),
    sum(1, 10, 'alert', 2),
    sum(1, 10, 'storage', 30 * MB),
    sum(1, 10, 'traffic-in', MB),
    sum(2, 10, 'sms', 10),
    sum(2, 10, 'traffic-out', 2 * MB),
    sum(3, 20, 'sms', 1),
    sum(null, null, 'sms', 6),
    sum(99, 10, 'sms', 2),
  ],
  accounts,
  domainNames: new Map([
    [10, 'a.test'],
    [20, 'b.test'],
  ]),
  plans: new Map([
    [1, basic],
    [2, vip],
  ]),
  domainPlans: new Map([[10, 1]]),
  userPlans: new Map([[4, 2]]),
  defaultPlan: null,
  ...over,
});

test('per user: own plan over the domain plan, fee for every user that existed', () => {
  const r = computeTotals(input());
  const row = (user: string) => r.rows.find((x) => x.user === user)!;
  assert.deepEqual(
    r.rows.map((x) => x.user),
    ['', '#99', 'li@a.test', 'new@a.test', 'wang@a.test', 'zhao@b.test'],
  );
  const li = row('li@a.test');
  assert.equal(li.plan, 'basic');
  assert.deepEqual(
    [li.quantities.smsSegments, li.quantities.alerts, li.quantities.periods],
    [4, 2, 1],
  );
  // 4 x 0.1 + 2 x 0.05 + 30 MB-days x 0.001 + 1 MB x 0.02 + 5
  assert.equal(li.amounts.total, 400_000 + 100_000 + 30_000 + 20_000 + 5_000_000);
  const wang = row('wang@a.test');
  assert.equal(wang.amounts.traffic, 40_000);
  assert.equal(wang.amounts.total, 1_000_000 + 40_000 + 5_000_000);
  const fresh = row('new@a.test');
  assert.equal(fresh.plan, 'vip');
  assert.equal(fresh.quantities.periods, 10, 'days from the 21st to the 30th');
  assert.equal(fresh.amounts.total, 10_000_000);
  const zhao = row('zhao@b.test');
  assert.equal(zhao.plan, '', 'b.test has no plan and there is no default');
  assert.equal(zhao.amounts.total, 0);
  const system = row('');
  assert.equal(system.quantities.smsSegments, 6);
  assert.equal(system.amounts.total, 0, 'usage without a user is not priced');
  const removed = row('#99');
  assert.equal(removed.plan, 'basic', 'a removed user falls back to the domain plan');
  assert.equal(removed.quantities.periods, 0);
  assert.equal(removed.amounts.total, 200_000);
});

test('the default plan prices users of domains without a plan', () => {
  const r = computeTotals(input({ defaultPlan: vip }));
  const zhao = r.rows.find((x) => x.user === 'zhao@b.test')!;
  assert.equal(zhao.plan, 'vip');
  assert.equal(zhao.quantities.periods, 30);
  assert.equal(zhao.amounts.total, 30_000_000);
});

test('per domain: the sum of its users, each at their own plan', () => {
  const byUser = computeTotals(input());
  const r = computeTotals(input({ by: 'domain' }));
  assert.deepEqual(
    r.rows.map((x) => [x.domain, x.plan, x.currency]),
    [
      ['', '', ''],
      ['a.test', 'basic', 'CNY'],
      ['b.test', '', ''],
    ],
  );
  const a = r.rows[1];
  const users = byUser.rows.filter((x) => x.domain === 'a.test');
  assert.equal(
    a.amounts.total,
    users.reduce((n, x) => n + x.amounts.total, 0),
  );
  assert.equal(a.quantities.smsSegments, 4 + 10 + 2);
  assert.equal(a.quantities.periods, 1 + 1 + 10);
  assert.equal(a.user, undefined);
});

test('a user-only query lists that user alone', () => {
  const r = computeTotals(input({ accounts: [accounts[1]], sums: [sum(2, 10, 'sms', 10)] }));
  assert.deepEqual(
    r.rows.map((x) => x.user),
    ['wang@a.test'],
  );
});
