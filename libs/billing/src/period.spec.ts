import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiziError } from '@dizi/errors';
import { localDay, parsePeriod, periodsIn, zonedMidnight } from './period';

const SH = 'Asia/Shanghai';

test('dates are local days, both included', () => {
  const p = parsePeriod('2024-11-01', '2024-11-30', SH);
  assert.equal(new Date(p.from).toISOString(), '2024-10-31T16:00:00.000Z');
  assert.equal(new Date(p.to).toISOString(), '2024-11-30T16:00:00.000Z');
  const utc = parsePeriod('2024-02-29', '2024-02-29', 'UTC');
  assert.equal(utc.to - utc.from, 86_400_000);
});

test('ISO times with a zone are instants, to excluded', () => {
  const p = parsePeriod('2024-11-01T08:00:00+08:00', '2024-11-01T01:00:00Z', SH);
  assert.equal(new Date(p.from).toISOString(), '2024-11-01T00:00:00.000Z');
  assert.equal(new Date(p.to).toISOString(), '2024-11-01T01:00:00.000Z');
  assert.deepEqual(
    parsePeriod('2024-11-01', '2024-11-01T00:00:00+08:00', SH).to,
    p.from - 8 * 3600_000,
  );
});

test('bad bounds are refused naming the field', () => {
  const field = (from: unknown, to: unknown) => {
    try {
      parsePeriod(from, to, SH);
    } catch (e) {
      assert.ok(e instanceof DiziError && e.code === 'invalid', String(e));
      return (e as DiziError).field;
    }
    return null;
  };
  assert.equal(field('2024-13-01', '2024-12-01'), 'from');
  assert.equal(field('2024-02-30', '2024-03-01'), 'from');
  assert.equal(field('2024-11-01', 'tomorrow'), 'to');
  assert.equal(field('2024-11-01', '2024-11-01T00:00:00'), 'to', 'a time without a zone');
  assert.equal(field(undefined, '2024-11-01'), 'from');
  assert.equal(field('2024-11-01', ''), 'to');
  assert.equal(field('2024-11-02', '2024-11-01'), 'from', 'from after to');
  assert.equal(field('2024-11-01', '2024-11-01'), null, 'one day is fine');
});

test('local days and midnights across DST', () => {
  const ny = 'America/New_York';
  assert.equal(new Date(zonedMidnight('2024-03-10', ny)).toISOString(), '2024-03-10T05:00:00.000Z');
  assert.equal(new Date(zonedMidnight('2024-03-11', ny)).toISOString(), '2024-03-11T04:00:00.000Z');
  assert.equal(new Date(zonedMidnight('2024-11-03', ny)).toISOString(), '2024-11-03T04:00:00.000Z');
  assert.equal(new Date(zonedMidnight('2024-11-04', ny)).toISOString(), '2024-11-04T05:00:00.000Z');
  assert.equal(localDay(Date.parse('2024-11-30T16:30:00Z'), SH), '2024-12-01');
  assert.equal(localDay(Date.parse('2024-11-30T15:59:59Z'), SH), '2024-11-30');
});

test('periods count the days or months a range touches', () => {
  const nov = parsePeriod('2024-11-01', '2024-11-30', SH);
  assert.equal(periodsIn(nov.from, nov.to, 'day', SH), 30);
  assert.equal(periodsIn(nov.from, nov.to, 'month', SH), 1);
  const q4 = parsePeriod('2024-10-15', '2024-12-01', SH);
  assert.equal(periodsIn(q4.from, q4.to, 'month', SH), 3);
  const mid = Date.parse('2024-11-20T12:00:00+08:00');
  assert.equal(periodsIn(mid, nov.to, 'day', SH), 11, 'a user created on the 20th');
  assert.equal(periodsIn(nov.to, nov.to, 'day', SH), 0);
  const yearEnd = parsePeriod('2024-12-31', '2025-01-01', SH);
  assert.equal(periodsIn(yearEnd.from, yearEnd.to, 'month', SH), 2);
});
