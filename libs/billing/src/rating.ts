import type { RatingPlanEntity } from '@dizi/store';
import { mulDivRound } from './money';

/** A plan's prices, in micros (see money.ts). */
export type RatingPlan = Pick<
  RatingPlanEntity,
  | 'name'
  | 'currency'
  | 'smsSegment'
  | 'mms'
  | 'alert'
  | 'storageMbDay'
  | 'trafficMb'
  | 'periodFee'
  | 'period'
>;

/** A megabyte as plans price it. */
export const MB = 1_048_576;

/** What one user (or one domain) used in a period. */
export interface UsageQuantities {
  smsSegments: number;
  mms: number;
  alerts: number;
  /** Sum of the daily storage records: bytes x days. */
  storageByteDays: number;
  trafficInBytes: number;
  trafficOutBytes: number;
  /** Billing periods (days or months, per the plan) the user existed in. */
  periods: number;
}

/** What the quantities cost, in micros of the plan's currency. */
export interface RatedAmounts {
  sms: number;
  mms: number;
  alert: number;
  storage: number;
  traffic: number;
  time: number;
  total: number;
}

export function emptyQuantities(): UsageQuantities {
  return {
    smsSegments: 0,
    mms: 0,
    alerts: 0,
    storageByteDays: 0,
    trafficInBytes: 0,
    trafficOutBytes: 0,
    periods: 0,
  };
}

/** Adds the summed quantity of one service's records to `q`. */
export function addService(q: UsageQuantities, service: string, quantity: number): void {
  switch (service) {
    case 'sms':
      q.smsSegments += quantity;
      break;
    case 'mms':
      q.mms += quantity;
      break;
    case 'alert':
      q.alerts += quantity;
      break;
    case 'storage':
      q.storageByteDays += quantity;
      break;
    case 'traffic-in':
      q.trafficInBytes += quantity;
      break;
    case 'traffic-out':
      q.trafficOutBytes += quantity;
      break;
  }
}

export function addQuantities(into: UsageQuantities, q: UsageQuantities): void {
  for (const k of Object.keys(into) as Array<keyof UsageQuantities>) into[k] += q[k];
}

export function emptyAmounts(): RatedAmounts {
  return { sms: 0, mms: 0, alert: 0, storage: 0, traffic: 0, time: 0, total: 0 };
}

export function addAmounts(into: RatedAmounts, a: RatedAmounts): void {
  for (const k of Object.keys(into) as Array<keyof RatedAmounts>) into[k] += a[k];
}

/**
 * Prices quantities with a plan (null: unpriced, all zero). Counts (segments, MMS,
 * alerts, periods) are multiplied exactly; storage (MB-days) and traffic (MB, in and
 * out together) are rounded half up to the micro, once per line.
 * An alert costs its `alert` price and, like any SMS, its segments: a plan that sells
 * alerts as one price sets either to 0.
 */
export function rate(plan: RatingPlan | null, q: UsageQuantities): RatedAmounts {
  if (!plan) return emptyAmounts();
  const a: RatedAmounts = {
    sms: q.smsSegments * plan.smsSegment,
    mms: q.mms * plan.mms,
    alert: q.alerts * plan.alert,
    storage: mulDivRound(q.storageByteDays, plan.storageMbDay, MB),
    traffic: mulDivRound(q.trafficInBytes + q.trafficOutBytes, plan.trafficMb, MB),
    time: q.periods * plan.periodFee,
    total: 0,
  };
  a.total = a.sms + a.mms + a.alert + a.storage + a.traffic + a.time;
  return a;
}
