import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrice } from './money';
import { emptyQuantities, MB, rate, RatingPlan } from './rating';

const plan: RatingPlan = {
  name: 'basic',
  currency: 'CNY',
  smsSegment: parsePrice('0.10', 'x'),
  mms: parsePrice('0.30', 'x'),
  alert: parsePrice('0.05', 'x'),
  storageMbDay: parsePrice('0.001', 'x'),
  trafficMb: parsePrice('0.02', 'x'),
  periodFee: parsePrice('5', 'x'),
  period: 'month',
};

test('counts are priced exactly, storage and traffic per MB rounded to the micro', () => {
  const q = {
    ...emptyQuantities(),
    smsSegments: 7,
    mms: 2,
    alerts: 3,
    storageByteDays: 30 * 10 * MB + MB / 2,
    trafficInBytes: MB,
    trafficOutBytes: MB / 4,
    periods: 1,
  };
  const a = rate(plan, q);
  assert.equal(a.sms, 700_000);
  assert.equal(a.mms, 600_000);
  assert.equal(a.alert, 150_000);
  assert.equal(a.storage, 300_500, '300.5 MB-days at 0.001');
  assert.equal(a.traffic, 25_000, '1.25 MB at 0.02');
  assert.equal(a.time, 5_000_000);
  assert.equal(a.total, 700_000 + 600_000 + 150_000 + 300_500 + 25_000 + 5_000_000);
});

test('a fraction of a micro rounds half up; no plan prices nothing', () => {
  const tiny = { ...plan, trafficMb: 1 };
  assert.equal(rate(tiny, { ...emptyQuantities(), trafficInBytes: MB / 2 }).traffic, 1);
  assert.equal(rate(tiny, { ...emptyQuantities(), trafficInBytes: MB / 2 - 1 }).traffic, 0);
  const none = rate(null, { ...emptyQuantities(), smsSegments: 100, periods: 3 });
  assert.deepEqual(Object.values(none), [0, 0, 0, 0, 0, 0, 0]);
});
